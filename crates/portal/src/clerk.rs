//! ぴったりサービス, the municipality's side: a clerk signs in with their staff card (the
//! pages) or a municipality's back-office system with a clerk account's Argon2id password (the
//! API), lists what the municipality received, opens an application by receipt number
//! (受付番号), sees its signature verified by J-LIS with the signer's basic 4 items, and sets
//! its status, which the resident sees. The same as pages and as an API (bearer token).

use std::sync::Arc;

use crate::store::ApplicationRow;
use argon2::{
    Argon2, PasswordHash, PasswordVerifier,
    password_hash::{PasswordHasher, SaltString},
};
use axum::{
    Form, Json, Router,
    extract::{Path, Query, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post, put},
};
use maud::html;
use myna_node::{ApiError, ApiJson, now_secs};
use myna_pittari::SignedDocument;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::{
    Portal, PortalError,
    apply::{STATUSES, Verified, status_label},
    history::jst,
    page::{Ctx, Fields, csrf_refused, error_page, field, form_refused, layout},
    session::{self, CLERK_COOKIE, ClerkSession},
};

const CLERK_SECS: i64 = 8 * 3600;

/// A municipal clerk's role at the portal: `clerk:<local government code>`.
pub const CLERK_ROLES: myna_rp::staff::Roles = myna_rp::staff::Roles {
    describe: "clerk:<local government code (6 digits)>",
    valid: |r| r.strip_prefix("clerk:").is_some_and(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())),
};

pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| "no random source".to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// A hash of a random password, checked against when the account does not exist.
fn unknown_account_hash() -> Option<&'static str> {
    static HASH: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&session::random_hex::<16>()).ok()).as_deref()
}

impl Portal {
    async fn clerk_login(
        &self,
        municipality: &str,
        login: &str,
        password: &str,
    ) -> Result<(String, ClerkSession), PortalError> {
        let key = format!("{municipality}/{login}");
        let now = now_secs();
        if let Some(left) = self.clerk_throttle.locked(&key, now) {
            return Err(PortalError::LoginLocked { minutes: (left + 59) / 60 });
        }
        // An unknown account costs the same password check as a known one, so the answer's
        // time does not tell which accounts exist.
        let stored = self.store.clerk_hash(municipality, login).await?;
        let hash = match &stored {
            Some(h) => h.as_str(),
            None => unknown_account_hash().ok_or_else(|| PortalError::internal("no random source"))?,
        };
        let parsed = PasswordHash::new(hash).map_err(PortalError::internal)?;
        let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && stored.is_some();
        if !ok {
            self.clerk_throttle.failed(&key, now);
            tracing::info!(municipality, login, "clerk sign-in refused");
            return Err(PortalError::LoginRefused);
        }
        self.clerk_throttle.succeeded(&key);
        let s = ClerkSession {
            municipality: municipality.into(),
            login: login.into(),
            csrf: session::random_hex::<16>(),
            expires: now_secs() + CLERK_SECS,
        };
        let token = self.sessions.open_clerk(s.clone()).ok_or_else(|| PortalError::internal("no session slot"))?;
        Ok((token, s))
    }

    /// Registers (or resets) a clerk account (operator API and the demo).
    pub async fn add_clerk(&self, municipality: &str, login: &str, password: &str) -> Result<(), String> {
        if self.catalogue.offerings(municipality).is_empty() {
            return Err(format!("{municipality} offers no procedures on the portal"));
        }
        if password.chars().count() < 12 {
            return Err("a clerk's password has at least 12 characters".into());
        }
        self.store.put_clerk(municipality, login, &hash_password(password)?).await.map_err(|e| e.to_string())
    }

    /// A clerk session for the member of staff whose card the resident session was opened
    /// with: the card is the clerk's staff card (職員証), bound by the municipality's
    /// administrator (`myna staff add --node portal`).
    async fn clerk_by_card(&self, s: &session::Session) -> Result<(String, ClerkSession), PortalError> {
        let serial = u64::from_str_radix(&s.serial, 16).map_err(|_| PortalError::LoginRefused)?;
        let staff = self.staff.by_card(serial).await?.ok_or(PortalError::LoginRefused)?;
        let municipality = staff.role.strip_prefix("clerk:").ok_or(PortalError::LoginRefused)?;
        let c = ClerkSession {
            municipality: municipality.into(),
            login: staff.account.clone(),
            csrf: session::random_hex::<16>(),
            expires: now_secs() + CLERK_SECS,
        };
        tracing::info!(account = %staff.account, municipality, "clerk signed in with a staff card");
        let token = self.sessions.open_clerk(c.clone()).ok_or_else(|| PortalError::internal("no session slot"))?;
        Ok((token, c))
    }

    fn clerk_of(&self, headers: &HeaderMap) -> Option<(String, ClerkSession)> {
        let token = myna_node::bearer(headers).or_else(|| session::cookie(headers, CLERK_COOKIE))?;
        self.sessions.clerk(token).map(|s| (token.to_string(), s))
    }
}

/// The clerks' sign-in: with the staff card only (a password is for the municipality's own
/// back-office system, through the API).
async fn login_page(ctx: Ctx) -> Response {
    let body = html! {
        p { (ctx.t("市区町村の職員用です。受け付けた申請を確認し、状況を更新します。", "For municipal clerks: read received applications and update their status.")) }
        h2 { (ctx.t("職員証（マイナンバーカード）でログイン", "Log in with your staff card (My Number Card)")) }
        p { (ctx.t("職員証として登録されたカードでログインすると、その職員として記録されます。登録は所属の管理者が行います。", "Log in with the card registered as your staff card; what you do is recorded under your name. Your administrator registers the card.")) }
        p { a.button href="/login?next=%2Fclerk%2Fcard" { (ctx.t("カードでログイン", "Log in with the card")) } }
    };
    layout(&ctx, ctx.t("職員ログイン（ぴったりサービス）", "Clerk login"), body)
}

/// After a card login: the resident session's card, if it is a clerk's staff card, opens a
/// clerk session for that member of staff.
async fn by_card(State(p): State<Arc<Portal>>, crate::page::Resident(ctx, s): crate::page::Resident) -> Response {
    match p.clerk_by_card(&s).await {
        Ok((token, _)) => {
            let mut r = Redirect::to("/clerk").into_response();
            r.headers_mut().append(header::SET_COOKIE, session::set_cookie(CLERK_COOKIE, &token, CLERK_SECS));
            r
        }
        Err(_) => {
            let ja = format!(
                "このカード（利用者証明用電子証明書 {}）は職員証として登録されていません。所属の管理者に登録を依頼してください。",
                s.serial
            );
            let en = format!(
                "This card (user-authentication certificate {}) is not registered as a staff card; ask your administrator to register it.",
                s.serial
            );
            error_page(&ctx, StatusCode::FORBIDDEN, &ja, &en)
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct StatusFilter {
    /// Only applications in this status.
    status: Option<String>,
}

async fn inbox(State(p): State<Arc<Portal>>, ctx: Ctx, headers: HeaderMap, Query(q): Query<StatusFilter>) -> Response {
    let Some((_, c)) = p.clerk_of(&headers) else { return Redirect::to("/clerk/login").into_response() };
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let Ok(rows) = p.store.received(&c.municipality, status, 500).await else {
        return error_page(
            &ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "申請を読み込めませんでした。",
            "Applications could not be loaded.",
        );
    };
    let name = myna_pittari::municipality_name(&c.municipality);
    let body = html! {
        p { (name) " · " (c.login) }
        form method="post" action="/clerk/logout" { input type="hidden" name="csrf" value=(c.csrf); button.secondary type="submit" { (ctx.t("職員ログアウト", "Clerk log out")) } }
        form method="get" action="/clerk" {
            label for="status" { (ctx.t("状況で絞り込む", "Filter by status")) }
            select #status name="status" {
                option value="" { (ctx.t("すべて", "All")) }
                @for (id, ja, en) in STATUSES { option value=(id) selected[status == Some(*id)] { (ctx.t(ja, en)) } }
            }
            button type="submit" { (ctx.t("表示", "Show")) }
        }
        form method="get" action="/clerk/open" {
            label for="receipt" { (ctx.t("受付番号で開く", "Open by receipt number")) }
            input #receipt name="receipt" inputmode="numeric" required;
            button type="submit" { (ctx.t("開く", "Open")) }
        }
        div.table-wrap { table #received {
            caption { (ctx.t("受け付けた申請（新しい順）", "Received, newest first")) }
            thead { tr { th scope="col" { (ctx.t("受付番号", "Receipt")) } th scope="col" { (ctx.t("手続", "Procedure")) } th scope="col" { (ctx.t("受付日時", "Received")) } th scope="col" { (ctx.t("状況", "Status")) } } }
            tbody { @for r in &rows {
                tr {
                    td { a href={ "/clerk/applications/" (r.receipt) } { (r.receipt) } }
                    td { (p.catalogue.offering(&r.municipality, &r.procedure).map(|o| o.procedure.name.get(ctx.en).to_string()).unwrap_or(r.procedure.clone())) }
                    td { (jst(r.submitted_at)) }
                    td { (status_label(&ctx, &r.status)) }
                }
            } }
        } }
    };
    layout(&ctx, ctx.t("受付一覧（ぴったりサービス）", "Received applications"), body)
}

async fn logout(
    State(p): State<Arc<Portal>>,
    ctx: Ctx,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else { return csrf_refused(&ctx) };
    let Some((token, c)) = p.clerk_of(&headers) else { return Redirect::to("/clerk/login").into_response() };
    if !session::csrf_ok(&c.csrf, field(&f, "csrf")) {
        return csrf_refused(&ctx);
    }
    p.sessions.close_clerk(&token);
    let mut r = Redirect::to("/clerk/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, session::clear_cookie(CLERK_COOKIE));
    r
}

#[derive(Deserialize)]
struct Receipt {
    receipt: String,
}

async fn open(Query(r): Query<Receipt>) -> Redirect {
    let digits: String = r.receipt.chars().filter(char::is_ascii_digit).collect();
    Redirect::to(&format!("/clerk/applications/{digits}"))
}

/// One application, checked: the signed bytes parse as a form, and J-LIS verifies the
/// signature over exactly those bytes.
async fn checked(
    p: &Portal,
    c: &ClerkSession,
    receipt: &str,
) -> Result<(ApplicationRow, SignedDocument, Option<Verified>), ApiError> {
    let r =
        p.store.application(receipt).await?.filter(|r| r.municipality == c.municipality).ok_or_else(|| {
            ApiError::not_found("no application with this receipt number was sent to this municipality")
        })?;
    let doc = SignedDocument::parse(r.document.as_bytes()).map_err(ApiError::internal)?;
    let verified = match (&r.certificate, &r.signature) {
        (Some(cert), Some(sig)) => Some(
            p.verify_signature(r.document.as_bytes(), cert, sig, None)
                .await
                .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "jlis", e))?,
        ),
        _ => None,
    };
    Ok((r, doc, verified))
}

async fn application(
    State(p): State<Arc<Portal>>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(receipt): Path<String>,
) -> Response {
    let Some((_, c)) = p.clerk_of(&headers) else { return Redirect::to("/clerk/login").into_response() };
    let (r, doc, verified) = match checked(&p, &c, &receipt).await {
        Ok(x) => x,
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            return error_page(
                &ctx,
                StatusCode::NOT_FOUND,
                "この受付番号の申請はありません。",
                "No application with this receipt number was sent here.",
            );
        }
        Err(e) => return error_page(&ctx, e.status, &e.message, &e.message),
    };
    let o = p.catalogue.offering(&r.municipality, &r.procedure);
    let body = html! {
        dl {
            dt { (ctx.t("受付番号", "Receipt number")) } dd #receipt { (r.receipt) }
            dt { (ctx.t("手続", "Procedure")) } dd { (o.as_ref().map(|o| o.procedure.name.get(ctx.en).to_string()).unwrap_or(r.procedure.clone())) }
            dt { (ctx.t("受付日時", "Received")) } dd { (jst(r.submitted_at)) }
            @if let Some(by) = &r.updated_by {
                dt { (ctx.t("最終更新", "Last updated")) } dd #updated-by { (jst(r.updated_at)) " " (by) }
            }
        }
        h2 { (ctx.t("電子署名の検証", "Signature check")) }
        @match &verified {
            None => p { (ctx.t("この手続は電子署名を要しません。", "This procedure needs no signature.")) },
            Some(v) if v.valid => div #signature.ok {
                p { "✓ " (ctx.t("署名は有効です（J-LIS にて検証）。", "The signature is valid (verified with J-LIS).")) " " (ctx.t("証明書の状態: ", "Certificate: ")) (v.status.clone().unwrap_or_default()) " · " (ctx.t("シリアル ", "serial ")) (v.serial.clone().unwrap_or_default()) }
                @if let Some(h) = &v.holder {
                    dl {
                        dt { (ctx.t("署名者の氏名", "Signer's name")) } dd { (h["name"].as_str().unwrap_or_default()) }
                        dt { (ctx.t("生年月日", "Date of birth")) } dd { (h["birth"].as_str().unwrap_or_default()) }
                        dt { (ctx.t("住所", "Address")) } dd { (h["address"].as_str().unwrap_or_default()) }
                    }
                }
            },
            Some(v) => p #signature.error role="alert" { "✗ " (ctx.t("署名を確認できません: ", "The signature does not verify: ")) (v.reason.clone().unwrap_or_default()) },
        }
        h2 { (ctx.t("申請内容", "Contents")) }
        dl.review {
            @for (k, v) in &doc.values {
                @let f = o.as_ref().and_then(|o| o.fields.iter().find(|f| &f.id == k).copied());
                dt { (f.map(|f| f.label.get(ctx.en).to_string()).unwrap_or(k.clone())) }
                dd { (f.map(|f| f.show(v, ctx.en)).unwrap_or(v.clone())) }
            }
        }
        h2 { (ctx.t("状況の更新", "Update status")) }
        form method="post" action={ "/clerk/applications/" (r.receipt) "/status" } {
            input type="hidden" name="csrf" value=(c.csrf);
            label for="status" { (ctx.t("状況", "Status")) }
            select #status name="status" { @for (id, ja, en) in STATUSES { option value=(id) selected[r.status == *id] { (ctx.t(ja, en)) } } }
            label for="note" { (ctx.t("申請者への連絡（任意、500文字まで）", "Note to the applicant (optional, up to 500 characters)")) }
            textarea #note name="note" maxlength="500" { (r.note) }
            button type="submit" { (ctx.t("更新する", "Update")) }
        }
        p { a href="/clerk" { (ctx.t("受付一覧へ", "Back to the list")) } }
    };
    layout(&ctx, ctx.t("申請の確認", "Application"), body)
}

fn check_status(status: &str, note: &str) -> Result<(), ApiError> {
    if !STATUSES.iter().any(|(id, ..)| *id == status) {
        return Err(ApiError::unprocessable("status", "one of received, in_review, need_more, approved, rejected"));
    }
    if note.chars().count() > 500 || note.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(ApiError::unprocessable("note", "at most 500 characters, no control characters"));
    }
    Ok(())
}

async fn set_status(
    State(p): State<Arc<Portal>>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(receipt): Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Form(f) = match form {
        Ok(f) => f,
        Err(e) => return form_refused(&ctx, &e),
    };
    let Some((_, c)) = p.clerk_of(&headers) else { return Redirect::to("/clerk/login").into_response() };
    if !session::csrf_ok(&c.csrf, field(&f, "csrf")) {
        return csrf_refused(&ctx);
    }
    let (status, note) = (field(&f, "status").unwrap_or_default(), field(&f, "note").unwrap_or_default().trim());
    if let Err(e) = check_status(status, note) {
        return error_page(&ctx, e.status, &e.message, &e.message);
    }
    match p.store.set_status((&c.municipality, &c.login), &receipt, status, note, now_secs()).await {
        Ok(true) => Redirect::to(&format!("/clerk/applications/{receipt}")).into_response(),
        Ok(false) => error_page(
            &ctx,
            StatusCode::NOT_FOUND,
            "この受付番号の申請はありません。",
            "No application with this receipt number was sent here.",
        ),
        Err(_) => error_page(
            &ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "更新できませんでした。",
            "The status could not be saved.",
        ),
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ClerkLogin {
    /// The municipality's 6-digit local government code.
    pub municipality: String,
    pub login: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ClerkToken {
    pub token: String,
    pub expires: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReceivedView {
    pub receipt: String,
    pub procedure: String,
    pub submitted_at: i64,
    pub status: String,
    pub note: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ApplicationView {
    pub receipt: String,
    pub procedure: String,
    pub submitted_at: i64,
    pub status: String,
    pub note: String,
    #[schema(value_type = Object)]
    pub values: std::collections::BTreeMap<String, String>,
    /// The signed bytes (canonical JSON).
    pub document: String,
    /// null when the procedure needs no signature.
    #[schema(value_type = Option<Object>)]
    pub signature: Option<Value>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatusUpdate {
    /// received, in_review, need_more, approved or rejected.
    pub status: String,
    #[serde(default)]
    pub note: String,
}

fn api_clerk(p: &Portal, headers: &HeaderMap) -> Result<ClerkSession, ApiError> {
    p.clerk_of(headers).map(|(_, c)| c).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "clerk_login",
            "log in first: POST /v1/clerk/login, then Authorization: Bearer <token>",
        )
    })
}

/// A clerk's login for the applications API.
#[utoipa::path(post, path = "/v1/clerk/login", tag = "clerk", request_body = ClerkLogin, responses((status = 200, body = ClerkToken), (status = 401, description = "wrong municipality, login or password"), (status = 429, description = "five wrong passwords for this account in 15 minutes: locked for 15 minutes")))]
pub(crate) async fn api_login(
    State(p): State<Arc<Portal>>,
    ApiJson(b): ApiJson<ClerkLogin>,
) -> Result<Json<ClerkToken>, ApiError> {
    let (token, s) = p.clerk_login(&b.municipality, &b.login, &b.password).await?;
    Ok(Json(ClerkToken { token, expires: s.expires }))
}

/// What the clerk's municipality received, newest first.
#[utoipa::path(get, path = "/v1/clerk/applications", tag = "clerk", params(StatusFilter), responses((status = 200, body = Vec<ReceivedView>), (status = 401)))]
pub(crate) async fn api_list(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<StatusFilter>,
) -> Result<Json<Vec<ReceivedView>>, ApiError> {
    let c = api_clerk(&p, &headers)?;
    let rows = p.store.received(&c.municipality, q.status.as_deref().filter(|s| !s.is_empty()), 1000).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ReceivedView {
                receipt: r.receipt,
                procedure: r.procedure,
                submitted_at: r.submitted_at,
                status: r.status,
                note: r.note,
            })
            .collect(),
    ))
}

/// One application by receipt number, with its signature verified by J-LIS.
#[utoipa::path(get, path = "/v1/clerk/applications/{receipt}", tag = "clerk", params(("receipt" = String, Path)), responses((status = 200, body = ApplicationView), (status = 401), (status = 404)))]
pub(crate) async fn api_one(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    Path(receipt): Path<String>,
) -> Result<Json<ApplicationView>, ApiError> {
    let c = api_clerk(&p, &headers)?;
    let (r, doc, v) = checked(&p, &c, &receipt).await?;
    let signature = v.map(|v| serde_json::json!({"valid": v.valid, "reason": v.reason, "status": v.status, "serial": v.serial, "signer": v.holder}));
    Ok(Json(ApplicationView {
        receipt: r.receipt,
        procedure: r.procedure,
        submitted_at: r.submitted_at,
        status: r.status,
        note: r.note,
        values: doc.values,
        document: r.document,
        signature,
    }))
}

/// Sets an application's status (and a note the resident sees).
#[utoipa::path(put, path = "/v1/clerk/applications/{receipt}/status", tag = "clerk", params(("receipt" = String, Path)), request_body = StatusUpdate,
    responses((status = 204), (status = 401), (status = 404), (status = 422)))]
pub(crate) async fn api_status(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    Path(receipt): Path<String>,
    ApiJson(b): ApiJson<StatusUpdate>,
) -> Result<StatusCode, ApiError> {
    let c = api_clerk(&p, &headers)?;
    check_status(&b.status, b.note.trim())?;
    match p.store.set_status((&c.municipality, &c.login), &receipt, &b.status, b.note.trim(), now_secs()).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found("no application with this receipt number was sent to this municipality")),
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewClerk {
    pub municipality: String,
    pub login: String,
    /// At least 12 characters.
    pub password: String,
}

/// The operator registers a municipality's clerk (bearer: the operator token).
#[utoipa::path(post, path = "/v1/operator/clerks", tag = "operator", request_body = NewClerk, responses((status = 204), (status = 401), (status = 422)))]
pub(crate) async fn api_add_clerk(
    State(p): State<Arc<Portal>>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<NewClerk>,
) -> Result<StatusCode, ApiError> {
    p.operator(&headers)?;
    p.add_clerk(&b.municipality, &b.login, &b.password).await.map_err(|e| ApiError::unprocessable("clerk", e))?;
    Ok(StatusCode::NO_CONTENT)
}

impl Portal {
    pub(crate) fn operator(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if self.operator_ok(myna_node::bearer(headers).unwrap_or_default()) {
            Ok(())
        } else {
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "operator", "the operator's bearer token is required"))
        }
    }
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/clerk/login", get(login_page))
        .route("/clerk/card", get(by_card))
        .route("/clerk", get(inbox))
        .route("/clerk/open", get(open))
        .route("/clerk/logout", post(logout))
        .route("/clerk/applications/{receipt}", get(application))
        .route("/clerk/applications/{receipt}/status", post(set_status))
        .route("/v1/clerk/login", post(api_login))
        .route("/v1/clerk/applications", get(api_list))
        .route("/v1/clerk/applications/{receipt}", get(api_one))
        .route("/v1/clerk/applications/{receipt}/status", put(api_status))
        .route("/v1/operator/clerks", post(api_add_clerk))
}
