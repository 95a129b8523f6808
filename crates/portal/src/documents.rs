//! 証明書の検証: a public page of the portal where anyone — a landlord, an employer, a bank —
//! checks a document any municipality issued (住民票の写し, 課税・所得証明書 …) from its PDF,
//! a photo of its QR code or the code's text: who issued it, when, for whom, whether it was
//! altered, and, from J-LIS's transparency log of issuances, that it was logged and whether it
//! was withdrawn since. The keys are J-LIS's published list of every municipality's keys and
//! the log's; nothing about the document is kept.

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use maud::html;
use myna_issuance::{
    IssuerKeys, KeyList,
    log::{Event, Status},
    verify::{Checked, check},
};

use crate::{
    Portal,
    page::{Ctx, layout},
};

async fn form(ctx: Ctx) -> Response {
    let body = html! {
        p { (ctx.t("市区町村が交付した証明書（住民票の写し・課税証明書など）が本物か、改ざんや取消がないかを確かめます。全国の市区町村の証明書に対応しています。証明書の PDF か2次元コードの写真（PNG・JPEG）を選ぶか、コードを読み取った文字列（JPDOC1: で始まる）を貼り付けてください。",
            "Check that a document a municipality issued (a certificate of residence, a tax certificate …) is genuine, unaltered and not withdrawn — any municipality's. Choose its PDF or a photo of its QR code (PNG, JPEG), or paste the code's text (starting JPDOC1:).")) }
        p { (ctx.t("確認には J-LIS が公開する各市区町村の公開鍵と、証明書の発行記録（透明性ログ）を使います。送られた証明書は保存しません。",
            "The check uses the municipalities' public keys J-LIS publishes and its transparency log of issuances. Nothing you send is kept.")) }
        form #verify-form method="post" action="/documents/verify" data-verify {
            label for="file" { (ctx.t("証明書の PDF または2次元コードの写真", "The document's PDF, or a photo of its code")) }
            input #file type="file" name="file" accept="application/pdf,image/png,image/jpeg";
            label for="code" { (ctx.t("または2次元コードの内容", "Or the code's text")) }
            textarea #code name="code" rows="3" {}
            button type="submit" { (ctx.t("確かめる", "Check")) }
            pre { output #verify-result aria-live="polite" {} }
        }
    };
    layout(&ctx, ctx.t("証明書の検証", "Verify a document"), body)
}

/// The verdict, as text for the page (and any client), with its status: 200 valid, 409
/// withdrawn, 422 not valid, 503 when J-LIS could not be asked.
async fn verify(State(p): State<Arc<Portal>>, body: Bytes) -> Response {
    match p.verify_document(&body).await {
        Ok(v) => v.into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("確認できませんでした / could not check now (J-LIS): {e}"))
            .into_response(),
    }
}

/// What the portal's check says.
pub enum Verdict {
    Valid(Checked),
    Withdrawn { checked: Checked, at: i64 },
    NotValid(String),
}

impl IntoResponse for Verdict {
    fn into_response(self) -> Response {
        let text = |c: &Checked| c.document.summary().join("\n") + "\n" + &c.log_line();
        match self {
            Verdict::Valid(c) => (
                StatusCode::OK,
                format!("有効です / VALID: signed by the issuer, unaltered, not withdrawn\n{}", text(&c)),
            )
                .into_response(),
            Verdict::Withdrawn { checked, at } => (
                StatusCode::CONFLICT,
                format!(
                    "取り消されています / WITHDRAWN: the issuer withdrew this document on {} JST (J-LIS's log, proof checked)\n{}",
                    crate::history::jst(at),
                    text(&checked)
                ),
            )
                .into_response(),
            Verdict::NotValid(reason) => {
                (StatusCode::UNPROCESSABLE_ENTITY, format!("有効ではありません / NOT VALID: {reason}")).into_response()
            }
        }
    }
}

impl Portal {
    /// Checks a document with J-LIS's key list and its issuance log.
    pub async fn verify_document(&self, upload: &[u8]) -> Result<Verdict, myna_node::CallError> {
        let base = self.jlis_url.trim_end_matches('/');
        let now = myna_node::now_secs();
        let fetch = || async {
            let list: KeyList = myna_node::get_json(&self.jlis, &format!("{base}/v1/issuers/keys")).await?;
            Ok::<_, myna_node::CallError>(self.myinfo.issuer_keys.keep(now, list))
        };
        let with = |list: &KeyList| {
            IssuerKeys::from_list(list)
                .map_err(|e| e.to_string())
                .and_then(|keys| check(upload, &keys, list.log.as_ref()).map_err(|e| e.to_string()))
        };
        // The list read in the last minute, unless the document does not check with it (a
        // municipality's key registered since): then J-LIS's list as it is now.
        let cached = self.myinfo.issuer_keys.fresh(now).map(|list| {
            let checked = with(&list);
            (list, checked)
        });
        let (list, checked) = match cached {
            Some((list, Ok(c))) => (list, Ok(c)),
            _ => {
                let list = fetch().await?;
                let checked = with(&list);
                (list, checked)
            }
        };
        let mut checked = match checked {
            Ok(c) => c,
            Err(e) => return Ok(Verdict::NotValid(e)),
        };
        let Some(log) = &list.log else { return Ok(Verdict::Valid(checked)) };
        let d = &checked.document;
        let url = format!("{base}/v1/issuances/{}/{}", d.issuer.code, d.serial);
        let status: Status = myna_node::get_json(&self.jlis, &url).await?;
        // A code alone carries no receipt: the log's own entry for it proves the issuance.
        let issued = status.find(Event::Issued, d, &checked.code, &log.vkey);
        let withdrawn = status.withdrawn(d, &checked.code, &log.vkey);
        match (issued, withdrawn) {
            (Err(e), _) | (_, Err(e)) => Ok(Verdict::NotValid(format!("J-LIS's log: {e}"))),
            (Ok(None), _) => Ok(Verdict::NotValid(format!(
                "signed by {}, but J-LIS's log of issuances has no issuance of {} with this content",
                d.issuer.name, d.serial
            ))),
            (Ok(Some((index, _))), Ok(withdrawn)) => {
                if checked.logged.is_none() {
                    let size = myna_link::note::open(&status.checkpoint, &log.vkey, myna_issuance::log::ORIGIN)
                        .map(|c| c.size)
                        .unwrap_or_default();
                    checked.logged = Some((index, size));
                }
                Ok(match withdrawn {
                    Some(at) => Verdict::Withdrawn { checked, at },
                    None => Verdict::Valid(checked),
                })
            }
        }
    }
}

pub fn routes() -> Router<Arc<Portal>> {
    Router::new().route(
        "/documents/verify",
        // A photo of a code from a phone's camera is a few megabytes.
        get(form).post(verify).layer(DefaultBodyLimit::max(16 << 20)),
    )
}
