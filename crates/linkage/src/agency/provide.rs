//! Answering the hub (情報提供): only forwards signed by the hub, only from the copy kept for
//! the code the hub gave, checked against the layout, sealed to the requester.

use std::sync::Arc;

use super::store::ExchangeRow;
use axum::{Router, extract::State, http::StatusCode, response::Response, routing::post};
use myna_link::{Answer, Envelope, Forward, Version, open_envelope, payload_aad, seal};
use myna_node::ApiError;

use super::Agency;
use crate::wire::{jose, now_secs, rejected};

pub fn routes(agency: Arc<Agency>) -> Router {
    Router::new().route("/v1/provide", post(provide)).with_state(agency)
}

/// The hub's forward of a permitted query; answers the provider's signed answer.
#[utoipa::path(post, path = "/v1/provide", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<Forward>, from the hub"),
    responses((status = 200, description = "JWS of Envelope<Answer>, addressed to the requester"), (status = 401, description = "not signed by the hub, or stale"),
        (status = 409, description = "the copy's layout cannot serve the requested version")))]
pub(super) async fn provide(State(a): State<Arc<Agency>>, body: String) -> Result<Response, ApiError> {
    let env: Envelope<Forward> = open_envelope(&a.trust, &body, &a.id, now_secs()).map_err(rejected)?;
    if env.from != a.hub {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "not_hub", "only the hub forwards queries to an agency"));
    }
    let f = &env.body;
    let code = f.code.to_string();
    let copy = match a.source.get().filter(|s| s.handles(f.item)) {
        Some(source) => {
            source.copy(&code, f.item).await.map_err(ApiError::internal)?.map(|(v, text)| (v.to_string(), text))
        }
        None => a.store.copy(&code, f.item.id()).await?,
    };
    let answer = match copy {
        None => Answer::NotHeld { query: f.query.clone() },
        Some((version, text)) => {
            let held: Version = version.parse().map_err(ApiError::internal)?;
            a.layouts
                .compatible(f.item, f.version, held)
                .map_err(|e| ApiError::conflict("layout_version", format!("{e}; this agency holds {held}")))?;
            let value: serde_json::Value = serde_json::from_str(&text).map_err(ApiError::internal)?;
            // A copy is checked when registered; checked again so a layout change is caught
            // here rather than by the requester.
            a.layouts.validate(f.item, held, &value).map_err(|e| ApiError::conflict("copy_invalid", e.to_string()))?;
            let aad = payload_aad(&f.query, &f.requester, &a.id, &f.task, f.item);
            let sealed = seal::seal(&f.requester_key, text.as_bytes(), &aad)
                .map_err(|e| ApiError::unprocessable("requester_key", e.to_string()))?;
            Answer::Provided { query: f.query.clone(), version: held, sealed }
        }
    };
    let outcome = match answer {
        Answer::Provided { .. } => "delivered",
        Answer::NotHeld { .. } => "not_held",
    };
    a.store
        .record(&ExchangeRow {
            message: f.query.to_string(),
            role: "answered".into(),
            peer: f.requester.to_string(),
            task: f.task.to_string(),
            item: f.item.id().into(),
            code,
            outcome: outcome.into(),
            record: None,
            at: crate::now_ms(),
        })
        .await?;
    let (_, jws) = a.sign(&f.requester, answer).map_err(ApiError::internal)?;
    Ok(jose(jws))
}
