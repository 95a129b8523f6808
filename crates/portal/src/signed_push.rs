//! What the account and the deposit pages share: the resident signs one message with the card's
//! signing key (the demo reader with the password, or pasted from `myna card sign`), and the
//! portal pushes it through the hub to the node that acts on it, which has J-LIS check the
//! signature. The message travels Base64-encoded in the confirm form because a form would send a
//! line break back as CR LF.

use axum::{Form, extract::rejection::FormRejection, http::StatusCode, response::Response};
use base64ct::{Base64, Encoding as _};
use maud::{Markup, html};
use myna_link::{AgencyId, PushKind, SignedInstruction};
use myna_node::{now_secs, web::field};

use crate::{
    Portal,
    page::{Ctx, Fields, error_page, resident_form},
    session::Session,
};

/// The confirm form's signing fields and its button; `message` is what will be signed.
pub(crate) fn signing_fields(ctx: &Ctx, s: &Session, message: &[u8]) -> Markup {
    html! {
        (ctx.csrf_field())
        input type="hidden" name="message" value=(Base64::encode_string(message));
        @if s.card.is_some() {
            label for="password" { (ctx.t("署名用電子証明書のパスワード（英数字6〜16桁）", "Signing certificate password (6–16 letters and digits)")) }
            input #password type="password" name="password" autocomplete="off" required;
        } @else {
            label for="signature" { (ctx.t("`myna card sign` の出力を貼り付けてください", "Paste the output of `myna card sign`")) }
            textarea #signature name="signature" {}
        }
        button type="submit" { (ctx.t("署名して送る", "Sign and send")) }
    }
}

/// A submitted confirm form: the resident's form checked, and the message it carried, its
/// bytes and what `parse` read from them, before anything is signed.
pub(crate) fn submitted<T>(
    ctx: &Ctx,
    s: &Session,
    f: Result<Form<Fields>, FormRejection>,
    parse: impl Fn(&[u8]) -> Result<T, String>,
) -> Result<(Fields, Vec<u8>, T), Box<Response>> {
    let f = resident_form(ctx, s, f)?;
    let bytes = Base64::decode_vec(field(&f, "message").unwrap_or_default()).unwrap_or_default();
    match parse(&bytes) {
        Ok(v) => Ok((f, bytes, v)),
        Err(e) => Err(Box::new(error_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, &e, &e))),
    }
}

/// Signs `bytes` and pushes them to `to` as `kind`; the error is the page to answer with.
pub(crate) async fn sign_and_push(
    p: &Portal,
    ctx: &Ctx,
    s: &Session,
    f: &Fields,
    bytes: &[u8],
    to: &str,
    kind: PushKind,
) -> Result<(), Box<Response>> {
    let signed = sign(p, ctx, s, f, bytes)?;
    push(p, ctx, s, &signed, to, kind).await
}

/// `bytes` signed with the resident's card, as the nodes take it.
pub(crate) fn sign(
    p: &Portal,
    ctx: &Ctx,
    s: &Session,
    f: &Fields,
    bytes: &[u8],
) -> Result<SignedInstruction, Box<Response>> {
    let (certificate, signature) = crate::apply::sign(p, s, f, bytes).map_err(|m| {
        Box::new(error_page(
            ctx,
            StatusCode::UNAUTHORIZED,
            &format!("署名できませんでした: {m}"),
            &format!("Not signed: {m}"),
        ))
    })?;
    Ok(SignedInstruction { certificate, message: Base64::encode_string(bytes), signature })
}

/// Pushes a signed message to `to` as `kind`; the error is the page to answer with.
pub(crate) async fn push(
    p: &Portal,
    ctx: &Ctx,
    s: &Session,
    signed: &SignedInstruction,
    to: &str,
    kind: PushKind,
) -> Result<(), Box<Response>> {
    let (Ok(to), Ok(plain)) = (to.parse::<AgencyId>(), serde_json::to_vec(signed)) else {
        return Err(Box::new(error_page(
            ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "送信できませんでした。",
            "Could not send.",
        )));
    };
    p.agency.push(&s.code, &to, kind, &plain, now_secs()).await.map(|_| ()).map_err(|e| {
        Box::new(error_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("受け付けられませんでした: {}", e.reason()),
            &format!("Not taken: {}", e.reason()),
        ))
    })
}
