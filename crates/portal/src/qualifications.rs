//! 国家資格 in the portal (issue 22): the resident applies for registration in one of the 32
//! qualifications with the examination number, signing with the card — the qualification
//! system has J-LIS name them, so no 戸籍抄本 or 住民票 is attached — and, once registered,
//! receives the registration's credential (an SD-JWT VC) bound to the card's own key, kept
//! here for them: only the card can present it.

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{State, rejection::FormRejection},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use maud::html;
use myna_credential::{Jwk, Qualification, sdjwt};
use myna_node::{now_secs, web::field};
use myna_qualifications::api::{ApplicationView, CredentialAnswer, Signed};
use myna_store::WriteQuery as _;

use crate::{
    Portal,
    history::jst,
    page::{Ctx, Fields, Resident, error_page, layout, resident_form},
    session::Session,
    signed_push::{sign, signing_fields, submitted},
};

impl Portal {
    /// Connects the qualification system (its URL), once it runs.
    pub fn set_qualifications(&self, url: String) {
        let _ = self.qualifications.set(url);
    }
}

/// A credential the resident holds: (registration, qualification, the SD-JWT VC, received).
type Held = (i64, String, String, i64);

async fn held(p: &Portal, code: &str) -> Result<Vec<Held>, myna_store::StoreError> {
    p.store
        .db()
        .read(
            "SELECT registration, qualification, credential, received_at FROM portal_credentials WHERE code = $1 ORDER BY received_at DESC",
            &[code.into()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .await
}

/// The card's own key (the user-authentication certificate's, from the login), as the
/// credential's holder key.
fn card_key(s: &Session) -> Result<Jwk, String> {
    use base64ct::{Base64, Encoding as _};
    let der = Base64::decode_vec(&s.proof.certificate).map_err(|e| e.to_string())?;
    let cert = myna_pki::CardCert::parse(&der).map_err(|e| e.to_string())?;
    let (n, e) = myna_pki::PublicKey::rsa_components(&cert.cert.tbs_certificate.subject_public_key_info)
        .map_err(|e| e.to_string())?;
    Ok(Jwk::rsa(&n, &e))
}

fn unavailable(ctx: &Ctx) -> Response {
    error_page(
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        "国家資格等情報連携・活用システムに接続されていません。",
        "The qualification system is not connected.",
    )
}

async fn page(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident) -> Response {
    let mine = held(&p, &s.code).await.unwrap_or_default();
    let shown = crate::present::shown_to(&p, &s.code).await;
    let body = html! {
        p { (ctx.t("医師・看護師・保育士・税理士など32の資格の登録申請をマイナンバーカードで行えます。氏名・生年月日・住所は住民基本台帳から確認されるため、戸籍抄本や住民票の添付は不要です。",
            "Apply for registration in one of 32 qualifications (physician, nurse, nursery teacher, tax accountant …) with your card. Your name, birth date and address are confirmed from the resident register: no family-register or residence certificate is attached.")) }
        section aria-labelledby="apply-h" {
            h2 #apply-h { (ctx.t("登録申請", "Apply for registration")) }
            form method="post" action="/qualifications/confirm" {
                (ctx.csrf_field())
                input type="hidden" name="what" value="apply";
                label for="qualification" { (ctx.t("資格", "Qualification")) }
                select #qualification name="qualification" {
                    @for q in Qualification::ALL { option value=(q.id()) { (q.ja()) " / " (q.en()) } }
                }
                label for="exam" { (ctx.t("受験番号", "Examination number")) }
                input #exam name="exam_number" required maxlength="40" autocomplete="off";
                button type="submit" { (ctx.t("申請内容を確認する", "Check the application")) }
            }
        }
        section aria-labelledby="credential-h" {
            h2 #credential-h { (ctx.t("資格の証明書（デジタル）を受け取る", "Receive your digital qualification certificate")) }
            p { (ctx.t("登録済みの資格の証明書を受け取ります。あなたのマイナンバーカードの鍵に結び付けられ、提示のたびにカードで署名します。提示先には、求められた項目だけを選んで見せられます。",
                "The certificate of a registration, bound to your card's key: each time you show it, the card signs. You show only the items asked for.")) }
            form method="post" action="/qualifications/confirm" {
                (ctx.csrf_field())
                input type="hidden" name="what" value="credential";
                label for="registration" { (ctx.t("登録番号", "Registration number")) }
                input #registration name="registration" inputmode="numeric" required pattern="[0-9]{1,12}" autocomplete="off";
                button.secondary type="submit" { (ctx.t("受け取る内容を確認する", "Check before receiving")) }
            }
        }
        section aria-labelledby="held-h" {
            h2 #held-h { (ctx.t("持っている資格の証明書", "Your qualification certificates")) }
            @if mine.is_empty() { p #held-none { (ctx.t("まだありません。", "None yet.")) } }
            @else {
                ul #held {
                    @for (number, q, credential, at) in &mine {
                        @let claims = sdjwt::disclosable(credential).unwrap_or_default();
                        li {
                            strong { (q) } " " (ctx.t("登録番号", "registration")) " " (number) " · " (ctx.t("受領", "received")) " " (jst(*at))
                            br;
                            small { (ctx.t("選んで見せられる項目: ", "Items you can choose to show: "))
                                (crate::present::labels(&ctx, &claims.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(","))) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="shown-h" {
            h2 #shown-h { (ctx.t("資格を提示した記録", "Where you showed a qualification")) }
            @if shown.is_empty() { p #shown-none { (ctx.t("まだありません。", "Nowhere yet.")) } }
            @else {
                div.table-wrap { table #shown {
                    caption { (ctx.t("提示先と提示した項目（新しい順）", "To whom, and what, newest first")) }
                    thead { tr {
                        th scope="col" { (ctx.t("日時", "When")) }
                        th scope="col" { (ctx.t("提示先", "To")) }
                        th scope="col" { (ctx.t("資格", "Qualification")) }
                        th scope="col" { (ctx.t("提示した項目", "Items shown")) }
                    } }
                    tbody { @for (name, verifier, q, claims, at) in &shown {
                        tr { td { (crate::present::when(*at)) } td { (name) " (" (verifier) ")" } td { (q) } td { (crate::present::labels(&ctx, claims)) } }
                    } }
                } }
            }
        }
    };
    layout(&ctx, ctx.t("国家資格", "National qualifications"), body)
}

/// The message to sign, shown before it is signed.
async fn confirm(Resident(ctx, s): Resident, f: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match resident_form(&ctx, &s, f) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let (message, what, action) = if field(&f, "what") == Some("credential") {
        let Some(registration) = field(&f, "registration").and_then(|r| r.trim().parse::<i64>().ok()) else {
            return error_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "登録番号は数字です。",
                "A registration number is digits.",
            );
        };
        let holder = match card_key(&s) {
            Ok(k) => k,
            Err(e) => {
                return error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &format!("カードの鍵を読めません: {e}"), &e);
            }
        };
        let what = format!("{} {registration}", ctx.t("証明書を受け取る登録番号:", "Certificate of registration"));
        (Signed::QualificationCredential { registration, holder, at: now_secs() }, what, "/qualifications/credential")
    } else {
        let q = match field(&f, "qualification").unwrap_or_default().parse::<Qualification>() {
            Ok(q) => q,
            Err(e) => return error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), &e.to_string()),
        };
        let exam = field(&f, "exam_number").unwrap_or_default().trim().to_string();
        if exam.is_empty() {
            return error_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "受験番号を入力してください。",
                "Give the examination number.",
            );
        }
        let what = format!(
            "{}: {} / {}: {exam}",
            ctx.t("資格", "Qualification"),
            q.ja(),
            ctx.t("受験番号", "Examination number")
        );
        (
            Signed::QualificationApplication { qualification: q.id().into(), exam_number: exam, at: now_secs() },
            what,
            "/qualifications/apply",
        )
    };
    let bytes = serde_json::to_vec(&message).unwrap_or_default();
    let body = html! {
        p #qualification-what { (what) }
        p { (ctx.t("マイナンバーカードの署名用電子証明書で署名して、国家資格等情報連携・活用システムへ送ります。", "This is signed with your card and sent to the qualification system.")) }
        form method="post" action=(action) { (signing_fields(&ctx, &s, &bytes)) }
    };
    layout(&ctx, ctx.t("申請内容の確認", "Check before signing"), body)
}

fn parse(bytes: &[u8]) -> Result<Signed, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("not a qualification request: {e}"))
}

/// Signs and sends to the qualification system; its answer, or the page saying why not.
async fn send<T: serde::de::DeserializeOwned>(
    p: &Portal,
    ctx: &Ctx,
    s: &Session,
    f: &Fields,
    bytes: &[u8],
    path: &str,
) -> Result<T, Box<Response>> {
    let Some(base) = p.qualifications.get() else { return Err(Box::new(unavailable(ctx))) };
    let signed = sign(p, ctx, s, f, bytes)?;
    myna_node::post_json(p.agency.client(), &format!("{base}{path}"), &signed).await.map_err(|e| {
        let why = match &e {
            myna_node::CallError::Refused { message, .. } => message.clone(),
            e => e.to_string(),
        };
        Box::new(error_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("受け付けられませんでした: {why}"),
            &format!("Not taken: {why}"),
        ))
    })
}

async fn apply(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    f: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (f, bytes, _) = match submitted(&ctx, &s, f, parse) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let view: ApplicationView = match send(&p, &ctx, &s, &f, &bytes, "/v1/applications").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let body = html! {
        p.ok role="status" #qualification-applied { (ctx.t("登録申請を受け付けました。", "Your application was received.")) " " (ctx.t("受付番号", "Number")) " " (view.id) }
        p { (ctx.t("住民基本台帳から確認されたあなたの情報（戸籍抄本・住民票の代わり）:", "Your details as the resident register holds them (instead of certificates):")) }
        dl {
            dt { (ctx.t("資格", "Qualification")) } dd { (view.qualification_ja) }
            dt { (ctx.t("氏名", "Name")) } dd #applicant-name { (view.name) " (" (view.kana) ")" }
            dt { (ctx.t("生年月日", "Birth date")) } dd { (view.birth) }
            dt { (ctx.t("住所", "Address")) } dd { (view.address) }
        }
        p { (ctx.t("資格管理者が試験の合格を確かめて登録します。", "The keeper checks the examination result and registers you.")) }
        p { a href="/qualifications" { (ctx.t("国家資格へ戻る", "Back")) } }
    };
    layout(&ctx, ctx.t("登録申請", "Application"), body)
}

async fn credential(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    f: Result<Form<Fields>, FormRejection>,
) -> Response {
    let (f, bytes, _) = match submitted(&ctx, &s, f, parse) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let got: CredentialAnswer = match send(&p, &ctx, &s, &f, &bytes, "/v1/credentials").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    // The credential's own qualification claim (in the clear) names it for the list.
    let name = got
        .credential
        .split('.')
        .nth(1)
        .and_then(|p| <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["qualification"].as_str().map(str::to_string))
        .unwrap_or_default();
    let stored = sqlx::query(
        "INSERT INTO portal_credentials (code, registration, qualification, credential, received_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code, registration) DO UPDATE SET credential = excluded.credential, received_at = excluded.received_at",
    )
    .bind(&s.code)
    .bind(got.registration)
    .bind(&name)
    .bind(&got.credential)
    .bind(now_secs())
    .write(p.store.db())
    .await;
    if stored.is_err() {
        return error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "保存できませんでした。", "Could not keep it.");
    }
    let body = html! {
        p.ok role="status" #credential-received { (name) " " (ctx.t("の証明書を受け取りました。", "certificate received.")) }
        p { a href="/qualifications" { (ctx.t("国家資格へ戻る", "Back")) } }
    };
    layout(&ctx, ctx.t("資格の証明書", "Qualification certificate"), body)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/qualifications", get(page))
        .route("/qualifications/confirm", post(confirm))
        .route("/qualifications/apply", post(apply))
        .route("/qualifications/credential", post(credential))
}
