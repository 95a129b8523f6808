//! The counter's pages for certificates (窓口交付): the clerk names the resident by their
//! 住民票コード, chooses the document and its options, sees the fee, and issues; the PDF comes
//! back to print. And the municipality's published document key.

use axum::{
    Form, Json,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::html;
use myna_issuance::{DocKind, KeyList, Options};
use myna_node::{
    ApiError, ApiJson,
    web::{Fields, field},
};

use crate::certificates::CounterError;
use crate::pages::{Desk, S, checked, error, page};

pub(crate) async fn form(State(w): S, desk: Desk) -> Response {
    let offered = &w.counter.offering.documents;
    let body = html! {
        p { "住民票コードで住民を指定し、証明書を選んで交付します。内容は住民基本台帳（J-LIS の記録）から作り、市区町村の電子署名付きの2次元コードを印刷します。 / Name the resident by their resident code, choose the document and issue it. It is made from the register and carries a code signed by the municipality." }
        form method="post" action="/certificates/issue" aria-labelledby="issue-h" {
            h2 #issue-h { "証明書の交付 / Issue a certificate" }
            input type="hidden" name="csrf" value=(desk.1);
            label for="resident" { "住民票コード（11桁） / Resident code (11 digits)" }
            input #resident name="resident" inputmode="numeric" autocomplete="off" required pattern="[0-9]{11}";
            label for="kind" { "証明書 / Document" }
            select #kind name="kind" {
                @for d in offered {
                    option value=(d.kind.id()) { (d.kind.ja()) " — " (myna_text::yen(u64::from(d.counter_fee))) }
                }
            }
            fieldset {
                legend { "記載事項（住民票の写し） / What to print (certificate of residence)" }
                input #household type="checkbox" name="household" value="yes"; label for="household" { "世帯全員 / The whole household" }
                br;
                input #relationship type="checkbox" name="relationship" value="yes"; label for="relationship" { "続柄 / Relationship" }
                br;
                input #number type="checkbox" name="number" value="yes"; label for="number" { "個人番号（本人の請求があるときのみ） / Individual number (only when the resident asks)" }
            }
            label for="year" { "年度（課税・所得証明書） / Tax year (certificate of taxation and income)" }
            input #year name="year" inputmode="numeric" pattern="[0-9]{4}" value=(myna_issuance::assessed_year(time::OffsetDateTime::now_utc()));
            button #issue type="submit" { "交付する / Issue" }
        }
        form method="post" action="/certificates/withdraw" aria-labelledby="withdraw-h" {
            h2 #withdraw-h { "交付の取消 / Withdraw a document" }
            input type="hidden" name="csrf" value=(desk.1);
            label for="serial" { "証明書番号 / Serial" }
            input #serial name="serial" autocomplete="off" required;
            label for="reason" { "取消の理由 / Reason" }
            input #reason name="reason" required maxlength="200";
            button.secondary #withdraw type="submit" { "取り消す / Withdraw" }
        }
        p { a href="/seals" { "印鑑登録 / Seal registration" } }
        p { a href="/verify" { "証明書の検証ページ（どなたでも） / The verification page (open to anyone)" } }
        p { a href="/v1/documents/keys" { "この市区町村の公開鍵（検証用） / This municipality's public key, to verify documents" } }
    };
    page("証明書の交付（窓口） / Certificates at the counter", Some(&desk), body)
}

pub(crate) async fn issue(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let resident = field(&f, "resident").unwrap_or_default();
    if resident.len() != 11 || !resident.bytes().all(|b| b.is_ascii_digit()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "住民票コードは数字11桁です。",
            "A resident code is 11 digits.",
        );
    }
    let Some(kind) = field(&f, "kind").and_then(DocKind::parse) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "証明書を選んでください。", "Choose a document.");
    };
    let yes = |name: &str| field(&f, name) == Some("yes");
    let options = Options {
        household: yes("household"),
        relationship: yes("relationship"),
        number: yes("number"),
        year: (kind == DocKind::TaxIncome).then(|| field(&f, "year").and_then(|y| y.parse().ok())).flatten(),
        ..Options::default()
    };
    match w.counter.issue(w.benefits.agency(), resident, kind, options, &desk.0.account).await {
        Ok(issued) => {
            let name = format!("attachment; filename=\"{}.pdf\"", issued.document.serial);
            ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, name)], issued.pdf)
                .into_response()
        }
        Err(CounterError::Refused(r)) => error(StatusCode::UNPROCESSABLE_ENTITY, &r.to_string(), ""),
        Err(e @ CounterError::NotHere(_)) => error(StatusCode::NOT_FOUND, &e.to_string(), ""),
        Err(e @ CounterError::NoTaxRecord(_)) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), ""),
        Err(e) => {
            tracing::error!(error = %e, "counter issuance");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "交付できませんでした。記録は残っていません。もう一度お試しください。",
                &format!("Not issued, nothing recorded; try again ({e})."),
            )
        }
    }
}

pub(crate) async fn withdraw(
    State(w): S,
    desk: Desk,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match checked(&headers, &desk, form) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let serial = field(&f, "serial").unwrap_or_default().trim().to_string();
    match w
        .counter
        .withdraw(w.benefits.agency(), &serial, field(&f, "reason").unwrap_or_default(), &desk.0.account)
        .await
    {
        Ok(()) => page(
            "交付の取消 / Withdrawn",
            Some(&desk),
            html! {
                p #withdrawn { "証明書番号 " (serial) " を取り消しました。検証ページではこの証明書は取消済みと表示されます。 / Withdrawn: the verification page now says so." }
                p { a href="/certificates" { "戻る / Back" } }
            },
        ),
        Err(e @ (CounterError::NoSuchDocument(_) | CounterError::NoReason)) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), "")
        }
        Err(e) => {
            error(StatusCode::SERVICE_UNAVAILABLE, "取り消せませんでした。もう一度お試しください。", &e.to_string())
        }
    }
}

/// The municipality's document key, for anyone checking a document it issued.
#[utoipa::path(get, path = "/v1/documents/keys",
    responses((status = 200, description = "The issuers' key list `myna doc verify --keys` reads: {\"issuers\": [{\"kid\", \"name\", \"public\"}]}", body = Object)))]
pub(crate) async fn keys(State(w): S) -> Json<KeyList> {
    Json(w.counter.keys())
}

/// What this municipality issues at stores' kiosks, for J-LIS's issuance centre.
#[utoipa::path(get, path = "/v1/documents/offering",
    responses((status = 200, description = "The documents, their kiosk and counter fees, the kiosk hours (minutes after midnight, JST)", body = Object)))]
pub(crate) async fn offering(State(w): S) -> Json<myna_issuance::Offering> {
    Json(w.counter.offering.clone())
}

/// J-LIS's centre orders a document for a kiosk: made, recorded in the ledger, and answered
/// as the PDF to print. Refused (with the reason the kiosk shows) outside the hours, in the
/// year-end closure, for a document not offered.
#[utoipa::path(post, path = "/v1/documents", request_body = myna_jlis::kiosk::DocumentOrder,
    responses((status = 200, content_type = "application/pdf", description = "The document"), (status = 400, description = "Malformed JSON or not UTF-8"), (status = 415, description = "Body not sent as application/json"), (status = 404, description = "Not a resident here"),
        (status = 422, description = "Not offered, outside hours, year-end, options not allowed"), (status = 503, description = "Not issued, nothing recorded; order again")))]
pub(crate) async fn order(
    State(w): S,
    ApiJson(o): ApiJson<myna_jlis::kiosk::DocumentOrder>,
) -> Result<Response, ApiError> {
    let kind = DocKind::parse(&o.kind).ok_or_else(|| ApiError::unprocessable("kind", "not a document kind"))?;
    let options: Options = if o.options.is_null() {
        Options::default()
    } else {
        serde_json::from_value(o.options).map_err(|e| ApiError::unprocessable("options", e.to_string()))?
    };
    match w
        .counter
        .issue_at(w.benefits.agency(), &o.resident, kind, options, myna_issuance::Channel::Kiosk(o.kiosk))
        .await
    {
        Ok(issued) => Ok(([(header::CONTENT_TYPE, "application/pdf")], issued.pdf).into_response()),
        Err(CounterError::Refused(r)) => Err(ApiError::unprocessable("refused", r.to_string())),
        Err(e @ CounterError::NotHere(_)) => Err(ApiError::not_found(e.to_string())),
        Err(e @ CounterError::NoTaxRecord(_)) => Err(ApiError::unprocessable("no_tax_record", e.to_string())),
        Err(CounterError::Store(e)) => Err(ApiError::store(e)),
        Err(e) => Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_issued", e.to_string())),
    }
}
