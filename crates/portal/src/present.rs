//! Showing a qualification to a third party (issue 22): a verifier's page (a hospital hiring)
//! sends the resident here with what it asks — which qualification, which items, for which
//! request — in the manner of OpenID for Verifiable Presentations (a request with `client_id`,
//! `nonce`, `state` and `response_uri`, answered by a form post). The resident sees who asks
//! and what, and what stays hidden; the card signs the key binding with its PIN; only the
//! asked items are disclosed; the answer goes to the verifier's own page from the browser, and
//! the portal keeps a record of who was shown what, and when.

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{Query, State, rejection::FormRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use base64ct::{Base64UrlUnpadded, Encoding as _};
use maud::html;
use myna_credential::sdjwt::{self, KeyBinding};
use myna_node::{now_secs, web::field};
use myna_pki::CertKind;
use myna_store::WriteQuery as _;
use serde::Deserialize;

use crate::{
    Portal,
    history::jst,
    page::{Ctx, Fields, Resident, error_page, layout, resident_form},
    session::Session,
};

/// A verifier's request.
#[derive(Debug, Clone, Deserialize)]
struct Request {
    client_id: String,
    client_name: String,
    nonce: String,
    state: String,
    response_uri: String,
    vct: String,
    claims: Vec<String>,
}

/// What an item is called, for the resident.
fn label(ctx: &Ctx, claim: &str) -> String {
    let (ja, en) = match claim {
        "registration_number" => ("登録番号", "Registration number"),
        "registered_on" => ("登録年月日", "Registered on"),
        "name" => ("氏名", "Name"),
        "name_kana" => ("氏名（カナ）", "Name (kana)"),
        "birthdate" => ("生年月日", "Birth date"),
        "sex" => ("性別", "Sex"),
        other => (other, other),
    };
    ctx.t(ja, en).to_string()
}

fn parse(raw: &str) -> Result<Request, String> {
    let bytes = Base64UrlUnpadded::decode_vec(raw.trim()).map_err(|_| "the request is not base64url".to_string())?;
    let r: Request = serde_json::from_slice(&bytes).map_err(|e| format!("the request does not read: {e}"))?;
    let origin_ok = r.client_id.starts_with("https://") || r.client_id.starts_with("http://localhost:");
    // The answer goes back only to the asking site itself.
    if !origin_ok || !r.response_uri.starts_with(&format!("{}/", r.client_id.trim_end_matches('/'))) {
        return Err("the request's answer address is not the asking site's own".into());
    }
    if r.nonce.len() < 16 || r.state.is_empty() || r.claims.is_empty() {
        return Err("the request lacks a nonce, a state or the items asked".into());
    }
    Ok(r)
}

/// The resident's credential of the asked type: (registration, qualification, credential).
async fn matching(p: &Portal, s: &Session, vct: &str) -> Option<(i64, String, String)> {
    let held: Vec<(i64, String, String)> = p
        .store
        .db()
        .read(
            "SELECT registration, qualification, credential FROM portal_credentials WHERE code = $1 ORDER BY received_at DESC",
            &[s.code.as_str().into()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .await
        .ok()?;
    held.into_iter().find(|(_, _, c)| {
        c.split('.')
            .nth(1)
            .and_then(|p| Base64UrlUnpadded::decode_vec(p).ok())
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v["vct"] == vct)
    })
}

#[derive(Deserialize)]
struct Asked {
    request: String,
}

async fn ask(State(p): State<Arc<Portal>>, Resident(ctx, s): Resident, Query(q): Query<Asked>) -> Response {
    let r = match parse(&q.request) {
        Ok(r) => r,
        Err(e) => return error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &e, &e),
    };
    let Some((number, qualification, credential)) = matching(&p, &s, &r.vct).await else {
        return error_page(
            &ctx,
            StatusCode::NOT_FOUND,
            "求められた資格の証明書を持っていません。「国家資格」で受け取ってください。",
            "You hold no certificate of the qualification asked for; receive it on the Qualifications page.",
        );
    };
    let carried: Vec<String> =
        sdjwt::disclosable(&credential).unwrap_or_default().into_iter().map(|(n, _)| n).collect();
    let hidden: Vec<&String> = carried.iter().filter(|c| !r.claims.contains(c)).collect();
    let body = html! {
        p #present-who { strong { (r.client_name) } " (" (r.client_id) ") " (ctx.t("が、あなたの資格の提示を求めています。", "asks you to show your qualification.")) }
        h2 { (ctx.t("提示する項目", "What will be shown")) }
        ul #present-shown {
            li { (ctx.t("資格", "Qualification")) ": " (qualification) " (" (ctx.t("登録番号", "registration")) " " (number) ")" }
            @for c in &r.claims { li { (label(&ctx, c)) } }
        }
        h2 { (ctx.t("提示しない項目", "What stays hidden")) }
        ul #present-hidden { @for c in &hidden { li { (label(&ctx, c)) } } }
        form method="post" action="/qualifications/present" {
            (ctx.csrf_field())
            input type="hidden" name="request" value=(q.request);
            label for="pin" { (ctx.t("利用者証明用電子証明書の暗証番号（4桁）: カードが提示に署名します", "Card PIN (4 digits): the card signs the presentation")) }
            input #pin type="password" name="pin" inputmode="numeric" pattern="[0-9]{4}" required autocomplete="off";
            button type="submit" { (ctx.t("この項目だけを提示する", "Show only these")) }
        }
    };
    layout(&ctx, ctx.t("資格の提示", "Show a qualification"), body)
}

async fn show(
    State(p): State<Arc<Portal>>,
    Resident(ctx, s): Resident,
    f: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match resident_form(&ctx, &s, f) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let r = match parse(field(&f, "request").unwrap_or_default()) {
        Ok(r) => r,
        Err(e) => return error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &e, &e),
    };
    let Some((_, qualification, credential)) = matching(&p, &s, &r.vct).await else {
        return error_page(&ctx, StatusCode::NOT_FOUND, "証明書がありません。", "No such certificate.");
    };
    let (Some(cards), Some(card)) = (&p.cards, &s.card) else {
        return error_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "提示にはカードリーダーが必要です。",
            "Showing a qualification needs the card on a reader.",
        );
    };
    let pin = field(&f, "pin").unwrap_or_default().to_string();
    let sign = |input: &[u8]| cards.sign(card, CertKind::UserAuth, &pin, &myna_pki::sha256(input)).map(|s| s.signature);
    let asked: Vec<&str> = r.claims.iter().map(String::as_str).collect();
    let kb = KeyBinding { aud: &r.client_id, nonce: &r.nonce, iat: now_secs(), alg: "RS256", sign: &sign };
    let shown = match sdjwt::present(&credential, &asked, Some(kb)) {
        Ok(x) => x,
        Err(e) => {
            return error_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("提示できませんでした: {e}"),
                &e.to_string(),
            );
        }
    };
    let recorded = sqlx::query(
        "INSERT INTO portal_presentations (code, verifier, verifier_name, qualification, claims, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.code)
    .bind(&r.client_id)
    .bind(&r.client_name)
    .bind(&qualification)
    .bind(shown.disclosed.join(","))
    .bind(now_secs())
    .write(p.store.db())
    .await;
    if recorded.is_err() {
        return error_page(&ctx, StatusCode::INTERNAL_SERVER_ERROR, "記録できませんでした。", "Could not record it.");
    }
    let body = html! {
        p.ok role="status" #present-ready { (ctx.t("提示の準備ができました。送ると ", "Ready. Sending it shows ")) strong { (r.client_name) } (ctx.t(" に表示されます。", " what you chose.")) }
        form method="post" action=(r.response_uri) {
            input type="hidden" name="vp_token" value=(shown.text);
            input type="hidden" name="state" value=(r.state);
            button #present-send type="submit" { (ctx.t("送る", "Send")) }
        }
    };
    let mut page = layout(&ctx, ctx.t("資格の提示", "Show a qualification"), body);
    // This page's one form ends at the asking site.
    if let Some(csp) = myna_node::web::csp_with_form_target(&r.client_id) {
        page.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    page.into_response()
}

/// The record of who was shown what: (verifier name, verifier, qualification, items, when).
pub(crate) async fn shown_to(p: &Portal, code: &str) -> Vec<(String, String, String, String, i64)> {
    p.store
        .db()
        .read(
            "SELECT verifier_name, verifier, qualification, claims, at FROM portal_presentations WHERE code = $1 ORDER BY at DESC",
            &[code.into()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .await
        .unwrap_or_default()
}

/// The items of a record, named for the resident.
pub(crate) fn labels(ctx: &Ctx, claims: &str) -> String {
    claims.split(',').filter(|c| !c.is_empty()).map(|c| label(ctx, c)).collect::<Vec<_>>().join("、")
}

pub(crate) fn when(at: i64) -> String {
    jst(at)
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new().route("/qualifications/present", get(ask).post(show))
}
