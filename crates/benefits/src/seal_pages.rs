//! The seal register's pages (印鑑登録): the clerk names the resident by their 住民票コード,
//! sees the seal standing for them with its impression, registers a new one from a scan of
//! the impression (sent as it is, with the page's CSRF token), or ends the registration.

use axum::{
    Form,
    body::Bytes,
    extract::{Path, Query, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::html;
use myna_node::web::{Fields, field};

use crate::certificates::CounterError;
use crate::pages::{Desk, S, checked, error, page};
use myna_node::web::same_origin;

fn resident_code(s: &str) -> Option<&str> {
    (s.len() == 11 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

pub(crate) async fn form(State(w): S, desk: Desk, Query(q): Query<Fields>) -> Response {
    let resident = field(&q, "resident").and_then(resident_code);
    let standing = match resident {
        Some(r) => match w.counter.seal_of(r).await {
            Ok(s) => s,
            Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "登録を読めませんでした。", &e.to_string()),
        },
        None => None,
    };
    let body = html! {
        p { "印鑑登録をする住民を住民票コードで指定します。15歳以上でこの市区町村に住民登録のある方が、一人一つ登録できます。 / Name the resident by their resident code. A resident of this municipality aged 15 or older registers one seal." }
        form method="get" action="/seals" {
            label for="resident" { "住民票コード（11桁） / Resident code (11 digits)" }
            input #resident name="resident" inputmode="numeric" autocomplete="off" required pattern="[0-9]{11}" value=[resident];
            button.secondary type="submit" { "表示する / Show" }
        }
        @if let Some(r) = resident {
            section aria-labelledby="seal-h" {
                h2 #seal-h { "登録されている印鑑 / The seal registered" }
                @match &standing {
                    Some(s) => {
                        p #seal-standing { "印鑑登録番号 " (s.number) "、登録日 " (myna_issuance::wareki_date(s.registered_at)) " / registration " (s.number) }
                        img #seal-impression src={ "/seals/" (r) "/impression.png" } width="120" height="120" alt="登録されている印影 / The registered impression";
                    }
                    None => { p #seal-standing { "登録されている印鑑はありません。 / No seal is registered." } }
                }
            }
            form method="post" action={ "/seals/" (r) } data-upload data-csrf=(desk.1) aria-labelledby="register-h" {
                h2 #register-h { "印鑑の登録（改印） / Register a seal (replaces the one before)" }
                label for="impression" { "印影を読み取った画像（PNG・JPEG、白い紙に押印したもの） / A scan of the impression (PNG, JPEG), pressed on white paper" }
                input #impression type="file" name="impression" accept="image/png,image/jpeg" required;
                button #register type="submit" { "登録する / Register" }
                p { output #register-result aria-live="polite" {} }
            }
            @if standing.is_some() {
                form method="post" action={ "/seals/" (r) "/end" } aria-labelledby="end-h" {
                    h2 #end-h { "登録の廃止 / End the registration" }
                    input type="hidden" name="csrf" value=(desk.1);
                    label for="reason" { "廃止の理由 / Reason" }
                    input #reason name="reason" required maxlength="200";
                    button.secondary #end type="submit" { "廃止する / End" }
                }
            }
        }
        p { a href="/certificates" { "証明書の交付へ / To the certificate counter" } }
    };
    page("印鑑登録 / Seal registration", Some(&desk), body)
}

/// The scan of the impression, sent as it is.
pub(crate) async fn register(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    Path(resident): Path<String>,
    body: Bytes,
) -> Response {
    let token = headers.get("x-csrf").and_then(|v| v.to_str().ok());
    if !same_origin(&headers) || !myna_node::web::csrf_ok(&desk.1, token) {
        return (StatusCode::FORBIDDEN, "このページから送信してください。 / Send this from the page itself.")
            .into_response();
    }
    let Some(resident) = resident_code(&resident) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "住民票コードは数字11桁です。 / A resident code is 11 digits.")
            .into_response();
    };
    match w.counter.register_seal(w.benefits.agency(), resident, &body, &desk.0.account).await {
        Ok(n) => format!("印鑑登録番号 {n} で登録しました。 / Registered as number {n}.").into_response(),
        Err(e @ (CounterError::Seal(_) | CounterError::NotHere(_))) => {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("登録できません / Not registered: {e}")).into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("登録できませんでした。もう一度お試しください。 / {e}"))
            .into_response(),
    }
}

pub(crate) async fn end(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    Path(resident): Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    match w.counter.end_seal(&resident, field(&f, "reason").unwrap_or_default(), &desk.0.account).await {
        Ok(()) => page(
            "印鑑登録の廃止 / Registration ended",
            Some(&desk),
            html! {
                p #ended { "印鑑登録を廃止しました。この印鑑の印鑑登録証明書は交付されません。 / The registration is ended: no certificate is issued for this seal." }
                p { a href={ "/seals?resident=" (resident) } { "戻る / Back" } }
            },
        ),
        Err(e @ (CounterError::Seal(_) | CounterError::NoReason)) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), "")
        }
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, "廃止できませんでした。", &e.to_string()),
    }
}

pub(crate) async fn impression(State(w): S, _desk: Desk, Path(resident): Path<String>) -> Response {
    match w.counter.seal_of(&resident).await {
        Ok(Some(s)) => ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], s.impression.png())
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
