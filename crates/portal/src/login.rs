//! Login with the card. The login page opens an attempt (a cookie bound to one challenge)
//! and shows the challenge as text and QR code; the holder's tool signs it
//! (`myna card login --challenge`) and posts it to `/v1/login`, or, in the demo, the card
//! reader page signs it with the PIN typed in. Either way the attempt completes, and
//! `/login/continue` opens a fresh session for this browser.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Json, Router,
    extract::{Query, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64ct::{Base64, Encoding};
use maud::html;
use myna_link::{Enrolment, LoginProof};
use myna_node::{ApiError, ApiJson, now_secs};
use myna_pki::{
    CertKind, Serial,
    login::{Challenge, ChallengeBook, LoginError, LoginOk, LoginResponse, LoginVerifier},
};
use myna_rp::{ChallengeView, CrlCache, LoginBody};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    Portal, PortalError,
    page::{Ctx, Fields, csrf_refused, encode, error_page, field, form_refused, layout, local_path, trusted_svg},
    session::{self, LOGIN_COOKIE, SESSION_COOKIE, SESSION_SECS, Session},
};

/// How long a login attempt (and its challenge) lasts.
pub const ATTEMPT_SECS: i64 = 300;

pub struct LoginState {
    pub verifier: LoginVerifier,
    book: Mutex<ChallengeBook>,
    pub crl: CrlCache,
    /// Logins whose challenge a card has signed, by challenge text, until the browser that
    /// started them continues. Nothing is kept for an attempt before a card signs it: the
    /// browser's cookie holds the attempt's secret and expiry, from which the challenge is
    /// rebuilt (`ChallengeBook::at`), so strangers asking for login pages fill no memory.
    done: Mutex<HashMap<String, Done>>,
}

#[derive(Clone)]
struct Done {
    code: String,
    expires: i64,
    card: Option<String>,
    /// The user-authentication certificate's serial (for registering the card for health
    /// insurance use).
    serial: String,
    /// What the card signed, forwarded to the hub as proof the resident is signed in.
    proof: LoginProof,
}

/// Signed logins waiting for their browser, at most.
const WAITING: usize = 100_000;

/// The challenge's salt for a browser's attempt secret: one-way, so someone who sees the
/// challenge (the QR code on a screen) cannot make the browser's cookie.
fn salt_of(secret: &str) -> [u8; 8] {
    let h = sha(format!("myna-login-attempt/1:{secret}").as_bytes());
    let mut salt = [0u8; 8];
    salt.copy_from_slice(&h[..8]);
    salt
}

fn sha(b: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(b).into()
}

impl LoginState {
    pub fn new(verifier: LoginVerifier, service: &str, crl: CrlCache) -> Self {
        Self {
            verifier,
            book: Mutex::new(ChallengeBook::new(service, ATTEMPT_SECS, 1_000_000)),
            crl,
            done: Mutex::new(HashMap::new()),
        }
    }

    fn challenge(&self) -> Result<Challenge, LoginError> {
        let mut nonce = [0u8; 16];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| LoginError::Busy)?;
        self.book.lock().map_err(|_| LoginError::Busy)?.issue(nonce, now_secs())
    }

    /// The challenge of the attempt a browser's cookie names (`<secret>.<expiry>`).
    fn rebuild(&self, cookie: &str) -> Option<Challenge> {
        let (secret, expires) = cookie.split_once('.')?;
        let expires: i64 = expires.parse().ok()?;
        if secret.len() != 32 || expires < now_secs() {
            return None;
        }
        self.book.lock().ok()?.at(salt_of(secret), expires).ok()
    }

    /// Every check of a signed challenge: certificate chain and policy, revocation (J-LIS's
    /// CRL; unknown is refused), signature, challenge this portal's, unexpired and unused.
    fn verify(&self, resp: &LoginResponse) -> Result<(LoginOk, Serial), LoginError> {
        let cert = self.verifier.certificate(resp)?;
        let now = now_secs();
        let status = self.crl.status(cert.serial, now);
        let mut book = self.book.lock().map_err(|_| LoginError::Busy)?;
        let ok = self.verifier.verify(&mut book, resp, &cert, status, now)?;
        Ok((ok, cert.serial))
    }
}

/// Why a login was refused, for the person trying.
fn refusal(e: &LoginError, en: bool) -> String {
    let (ja, en_text) = match e {
        LoginError::UnknownChallenge => (
            "このログイン用の文字列は使用済みか無効です。ログインをやり直してください。",
            "This login challenge was already used or is unknown. Start the login again.",
        ),
        LoginError::Expired => (
            "ログインの有効時間（5分）を過ぎました。ログインをやり直してください。",
            "The login took longer than 5 minutes. Start again.",
        ),
        LoginError::OtherService(_) => {
            ("別のサービス向けの文字列に署名されています。", "The card signed a challenge for another service.")
        }
        LoginError::Certificate(myna_pki::PkiError::Revoked { .. }) => (
            "このカードの利用者証明用電子証明書は失効しています。市区町村の窓口にお問い合わせください。",
            "This card's certificate is revoked. Contact your municipality.",
        ),
        LoginError::Certificate(myna_pki::PkiError::StatusUnknown) => (
            "証明書の失効情報を確認できないため、ログインできません。しばらくしてからお試しください。",
            "The certificate's revocation status cannot be checked right now; try again later.",
        ),
        _ => (
            "カードの証明書または署名を確認できませんでした。",
            "The card's certificate or signature could not be verified.",
        ),
    };
    if en { format!("{en_text} ({e})") } else { format!("{ja}（{e}）") }
}

impl Portal {
    /// After a verified login: the portal's code for the resident, obtained once through
    /// J-LIS from the certificate serial (the portal never sees the number).
    async fn finish(
        &self,
        ok: &LoginOk,
        serial: Serial,
        card: Option<String>,
        resp: &LoginResponse,
    ) -> Result<Done, PortalError> {
        let code = match self.store.code_of(&ok.pseudonym).await? {
            Some(c) => c,
            None => {
                let code =
                    self.agency.obtain_code(Enrolment::Certificate { user_auth_serial: serial.to_string() }).await?;
                self.store.remember(&ok.pseudonym, &code, now_secs()).await?;
                code
            }
        };
        // The portal's linkage node knows the person by the code itself.
        if self.agency.store.person_of(&code).await?.is_none() {
            self.agency.store.enrol(&code, &code, now_secs()).await?;
        }
        Ok(Done {
            code,
            expires: (now_secs() + SESSION_SECS).min(ok.certificate_expires),
            card,
            serial: serial.to_string(),
            proof: LoginProof {
                challenge: resp.challenge.clone(),
                certificate: resp.certificate.clone(),
                signature: resp.signature.clone(),
            },
        })
    }

    fn complete(&self, challenge: &str, done: &Done) {
        if let Ok(mut d) = self.login.done.lock() {
            if d.len() >= WAITING {
                let now = now_secs();
                d.retain(|c, _| Challenge::parse(c).is_ok_and(|c| c.expires >= now));
            }
            d.insert(challenge.to_string(), done.clone());
        }
    }

    fn open_session(&self, d: &Done) -> Option<String> {
        self.sessions.open(Session {
            code: d.code.clone(),
            csrf: session::random_hex::<16>(),
            expires: d.expires,
            card: d.card.clone(),
            serial: d.serial.clone(),
            proof: d.proof.clone(),
        })
    }

    /// The browser's attempt: its challenge text, and the signed login if a card signed it.
    fn attempt(&self, headers: &HeaderMap) -> Option<(String, Option<Done>)> {
        let c = self.login.rebuild(session::cookie(headers, LOGIN_COOKIE)?)?;
        let text = c.text();
        let done = self.login.done.lock().ok()?.get(&text).cloned();
        Some((text, done))
    }

    /// A new attempt: the cookie for the browser and the challenge to show.
    fn new_attempt(&self) -> Result<(String, Challenge), LoginError> {
        let secret = session::random_hex::<16>();
        if secret.is_empty() {
            return Err(LoginError::Busy);
        }
        let c =
            self.login.book.lock().map_err(|_| LoginError::Busy)?.at(salt_of(&secret), now_secs() + ATTEMPT_SECS)?;
        Ok((format!("{secret}.{}", c.expires), c))
    }
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

async fn login_page(State(p): State<Arc<Portal>>, ctx: Ctx, Query(n): Query<Next>) -> Response {
    let next = local_path(n.next.as_deref());
    let (id, c) = match p.new_attempt() {
        Ok(x) => x,
        Err(e) => return error_page(&ctx, StatusCode::SERVICE_UNAVAILABLE, &refusal(&e, false), &refusal(&e, true)),
    };
    let text = c.text();
    let qr = qrcode::QrCode::new(text.as_bytes())
        .map(|q| q.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
        .unwrap_or_default();
    let body = html! {
        p { (ctx.t("マイナンバーカードの利用者証明用電子証明書でログインします。次の文字列（QRコード）にカードで署名してください。",
            "Log in with your My Number Card's user-authentication certificate: sign the text below (or its QR code) with your card.")) }
        figure.qr {
            div role="img" aria-label=(ctx.t("ログイン用QRコード", "Login QR code")) { (trusted_svg(qr)) }
            figcaption { code #challenge { (text) } }
        }
        h2 { (ctx.t("パソコンのカードリーダーで", "With a card reader on this computer")) }
        p { (ctx.t("次のコマンドを実行し、利用者証明用パスワード（数字4桁）を入力してください。", "Run this command and enter your 4-digit user-authentication PIN.")) }
        pre { code { "myna card login --reader '' --service " (p.public_url) " --challenge '" (text) "'" } }
        p { small { (ctx.t("カードをPC/SCのカードリーダーに置いてください（myna を --features pcsc で作成）。ソフトウェアカードは --reader の代わりにカードのファイル名を指定します。",
            "Put the card on a PC/SC reader (a myna built with --features pcsc); for a software card, give its file instead of --reader.")) } }
        @if p.cards.is_some() {
            h2 { (ctx.t("デモ用カードリーダーで", "With the demo card reader")) }
            p { a.button href={ "/login/card-reader?next=" (encode(&next)) } { (ctx.t("デモ用カードリーダーを使う", "Use the demo card reader")) } }
        }
        p #login-wait aria-live="polite" data-status="/login/status" data-next={ "/login/continue?next=" (encode(&next)) } {
            (ctx.t("署名を待っています…", "Waiting for the card's signature…"))
        }
        form method="get" action="/login/continue" {
            input type="hidden" name="next" value=(next);
            button type="submit" { (ctx.t("署名したら次へ", "I have signed: continue")) }
        }
    };
    let mut r = layout(&ctx, ctx.t("ログイン", "Log in"), body);
    r.headers_mut().append(header::SET_COOKIE, session::set_cookie(LOGIN_COOKIE, &id, ATTEMPT_SECS));
    r
}

#[derive(Serialize)]
struct Status {
    done: bool,
}

async fn status(State(p): State<Arc<Portal>>, headers: HeaderMap) -> Json<Status> {
    Json(Status { done: p.attempt(&headers).is_some_and(|(_, d)| d.is_some()) })
}

/// Opens the browser's session once its attempt is complete: a new token, never one the
/// browser brought (session fixation), and the attempt is spent.
async fn continue_login(State(p): State<Arc<Portal>>, ctx: Ctx, headers: HeaderMap, Query(n): Query<Next>) -> Response {
    let Some((challenge, done)) = p.attempt(&headers) else {
        return error_page(
            &ctx,
            StatusCode::BAD_REQUEST,
            "ログインの有効時間が過ぎたか、別のブラウザで始められました。ログインをやり直してください。",
            "The login expired or was started in another browser. Start again.",
        );
    };
    let Some(done) = done else {
        return error_page(
            &ctx,
            StatusCode::CONFLICT,
            "まだカードの署名を受け取っていません。署名してからもう一度押してください。",
            "The card's signature has not arrived yet. Sign, then press continue again.",
        );
    };
    if let Ok(mut d) = p.login.done.lock() {
        d.remove(&challenge);
    }
    if let Some(old) = session::cookie(&headers, SESSION_COOKIE) {
        p.sessions.close(old);
    }
    let Some(token) = p.open_session(&done) else {
        return error_page(
            &ctx,
            StatusCode::SERVICE_UNAVAILABLE,
            "ただいま混み合っています。",
            "The portal is busy; try again.",
        );
    };
    let mut r = Redirect::to(&local_path(n.next.as_deref())).into_response();
    r.headers_mut().append(header::SET_COOKIE, session::set_cookie(SESSION_COOKIE, &token, done.expires - now_secs()));
    r.headers_mut().append(header::SET_COOKIE, session::clear_cookie(LOGIN_COOKIE));
    r
}

async fn reader_page(State(p): State<Arc<Portal>>, ctx: Ctx, headers: HeaderMap, Query(n): Query<Next>) -> Response {
    reader(&p, &ctx, &headers, &local_path(n.next.as_deref()), None, StatusCode::OK)
}

fn reader(
    p: &Portal,
    ctx: &Ctx,
    headers: &HeaderMap,
    next: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let Some(cards) = &p.cards else {
        return error_page(
            ctx,
            StatusCode::NOT_FOUND,
            "この環境にはデモ用カードリーダーがありません。",
            "There is no demo card reader here.",
        );
    };
    let Some((challenge, _)) = p.attempt(headers) else {
        return Redirect::to(&format!("/login?next={}", encode(next))).into_response();
    };
    let body = html! {
        p { (ctx.t("デモの住民に交付されたカードから1枚を選び、利用者証明用パスワード（数字4桁）を入力してください。3回続けて間違えるとロックされます。",
            "Pick one of the cards issued to the demo residents and enter its 4-digit PIN. Three wrong PINs in a row lock it.")) }
        @if let Some(m) = &problem { p.error role="alert" { (m) } }
        form method="post" action="/login/card-reader" {
            input type="hidden" name="next" value=(next);
            input type="hidden" name="challenge" value=(challenge);
            fieldset {
                legend { (ctx.t("カード", "Card")) }
                @for (i, c) in cards.cards().iter().enumerate() {
                    div.choice {
                        input type="radio" name="card" id={ "card" (i) } value=(c.id) required checked[i == 0];
                        // Numbered, not named: whoever opens this page is not told who holds which card.
                        label for={ "card" (i) } { (ctx.t("デモカード ", "Demo card ")) (i + 1) " — " (ctx.t("残り", "tries left: ")) (c.auth_tries_left) (ctx.t("回", "")) }
                    }
                }
            }
            label for="pin" { (ctx.t("利用者証明用パスワード（数字4桁）", "User-authentication PIN (4 digits)")) }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required;
            button type="submit" { (ctx.t("カードで署名してログイン", "Sign with the card and log in")) }
        }
    };
    let mut r = layout(ctx, ctx.t("デモ用カードリーダー", "Demo card reader"), body);
    *r.status_mut() = status;
    r
}

async fn reader_sign(
    State(p): State<Arc<Portal>>,
    ctx: Ctx,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Form(f) = match form {
        Ok(f) => f,
        Err(e) => return form_refused(&ctx, &e),
    };
    let next = local_path(field(&f, "next"));
    let Some(cards) = &p.cards else { return reader(&p, &ctx, &headers, &next, None, StatusCode::NOT_FOUND) };
    // The attempt cookie and the challenge in the form must agree: a form posted from
    // elsewhere cannot log this browser in.
    let Some((challenge, _)) = p.attempt(&headers) else { return Redirect::to("/login").into_response() };
    if field(&f, "challenge") != Some(challenge.as_str()) {
        return csrf_refused(&ctx);
    }
    let (Some(card), Some(pin)) = (field(&f, "card"), field(&f, "pin")) else {
        return reader(
            &p,
            &ctx,
            &headers,
            &next,
            Some(ctx.t("カードを選び、パスワードを入力してください。", "Pick a card and enter the PIN.").into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let Ok(c) = Challenge::parse(&challenge) else { return Redirect::to("/login").into_response() };
    let signed = match cards.sign(card, CertKind::UserAuth, pin, &c.digest()) {
        Ok(s) => s,
        Err(e) => {
            let msg = format!("{}{e}", ctx.t("カードが署名しませんでした: ", "The card did not sign: "));
            return reader(&p, &ctx, &headers, &next, Some(msg), StatusCode::UNAUTHORIZED);
        }
    };
    let resp = LoginResponse {
        challenge: challenge.clone(),
        certificate: Base64::encode_string(&signed.certificate),
        signature: Base64::encode_string(&signed.signature),
    };
    match p.login.verify(&resp) {
        Ok((ok, serial)) => match p.finish(&ok, serial, Some(card.to_string()), &resp).await {
            Ok(done) => {
                p.complete(&challenge, &done);
                Redirect::to(&format!("/login/continue?next={}", encode(&next))).into_response()
            }
            Err(e) => error_page(
                &ctx,
                StatusCode::BAD_GATEWAY,
                &format!("J-LIS または情報提供ネットワークに接続できません: {}", e),
                &format!("J-LIS or the linkage network could not be reached: {}", e),
            ),
        },
        Err(e) => reader(&p, &ctx, &headers, &next, Some(refusal(&e, ctx.en)), StatusCode::UNAUTHORIZED),
    }
}

async fn logout(State(p): State<Arc<Portal>>, ctx: Ctx, form: Result<Form<Fields>, FormRejection>) -> Response {
    let Ok(Form(f)) = form else { return csrf_refused(&ctx) };
    let Some((token, s)) = &ctx.session else { return Redirect::to("/").into_response() };
    if !session::csrf_ok(&s.csrf, field(&f, "csrf")) {
        return csrf_refused(&ctx);
    }
    p.sessions.close(token);
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().append(header::SET_COOKIE, session::clear_cookie(SESSION_COOKIE));
    r
}

/// A new challenge for a holder's tool (API).
#[utoipa::path(post, path = "/v1/login/challenge", tag = "login", responses((status = 201, body = ChallengeView), (status = 503)))]
pub(crate) async fn api_challenge(State(p): State<Arc<Portal>>) -> Result<(StatusCode, Json<ChallengeView>), ApiError> {
    let c = p.login.challenge().map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string()))?;
    Ok((StatusCode::CREATED, Json(ChallengeView { challenge: c.text(), expires: c.expires })))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PortalSession {
    /// Session token (cookie `__Host-myna_session`), for tools that use the portal without a browser.
    pub session: String,
    pub expires: i64,
}

/// The holder's tool posts a signed challenge: a browser waiting on it is logged in, and
/// the tool gets a session of its own.
#[utoipa::path(post, path = "/v1/login", tag = "login", request_body = LoginBody,
    responses((status = 201, body = PortalSession), (status = 401, description = "refused, with the reason"), (status = 422), (status = 502, description = "J-LIS or the hub unreachable")))]
pub(crate) async fn api_login(
    State(p): State<Arc<Portal>>,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<(StatusCode, Json<PortalSession>), ApiError> {
    let resp = LoginResponse { challenge: b.challenge, certificate: b.certificate, signature: b.signature };
    let (ok, serial) = p
        .login
        .verify(&resp)
        .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, "login_refused", refusal(&e, true)))?;
    let done = p.finish(&ok, serial, None, &resp).await?;
    p.complete(&resp.challenge, &done);
    let token = p.open_session(&done).ok_or_else(|| ApiError::internal("no session"))?;
    Ok((StatusCode::CREATED, Json(PortalSession { session: token, expires: done.expires })))
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/login", get(login_page))
        .route("/login/status", get(status))
        .route("/login/continue", get(continue_login))
        .route("/login/card-reader", get(reader_page).post(reader_sign))
        .route("/logout", post(logout))
        .route("/v1/login/challenge", post(api_challenge))
        .route("/v1/login", post(api_login))
}
