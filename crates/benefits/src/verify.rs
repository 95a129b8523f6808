//! The issuer's verification page, open to anyone: upload a document's PDF (or paste the code
//! read from its QR) and see who issued it, when, for whom, whether it was altered — and,
//! because the issuer keeps the ledger, whether it was withdrawn since; a PDF's receipt from
//! J-LIS's issuance log is checked too.

use axum::{
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use maud::html;
use myna_issuance::Document;

use crate::certificates::Standing;
use crate::pages::{S, page};

pub(crate) async fn form(State(w): S) -> Response {
    let body = html! {
        p { "この市区町村が交付した証明書（住民票の写しなど）の発行元と、改ざん・取消の有無を確かめます。PDF か2次元コードの写真（PNG・JPEG）を選ぶか、読み取った文字列（JPDOC1: で始まる）を貼り付けてください。 / Check a document this municipality issued: who issued it, whether it was altered or withdrawn. Choose its PDF or a photo of its QR code (PNG, JPEG), or paste the code's text (starting JPDOC1:)." }
        p { "発行元 / Issuer: " (w.counter.issuer().name) " (" (w.counter.issuer().code) ")" }
        form #verify-form method="post" action="/verify" data-verify {
            label for="file" { "証明書の PDF または2次元コードの写真 / The document's PDF, or a photo of its code" }
            input #file type="file" name="file" accept="application/pdf,image/png,image/jpeg";
            label for="code" { "または2次元コードの内容 / Or the code's text" }
            textarea #code name="code" rows="3" {}
            button type="submit" { "確かめる / Check" }
            pre { output #verify-result aria-live="polite" {} }
        }
    };
    page("証明書の検証 / Verify a document", None, body)
}

fn describe(d: &Document) -> String {
    d.summary().join("\n")
}

/// The check, as text for the page (and any client).
pub(crate) async fn check(State(w): S, body: Bytes) -> Response {
    match w.counter.check(w.benefits.agency(), &body).await {
        Ok(Standing::Valid(c)) => (
            StatusCode::OK,
            format!(
                "有効です / VALID: signed by the issuer, unaltered, not withdrawn\n{}\n{}",
                describe(&c.document),
                c.log_line()
            ),
        )
            .into_response(),
        Ok(Standing::Withdrawn { document, reason, .. }) => (
            StatusCode::CONFLICT,
            format!(
                "取り消されています / WITHDRAWN: this document was withdrawn by its issuer ({reason})\n{}",
                describe(&document)
            ),
        )
            .into_response(),
        Ok(Standing::Refused(reason)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("有効ではありません / NOT VALID: {reason}")).into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("確認できませんでした / could not check now: {e}"))
            .into_response(),
    }
}
