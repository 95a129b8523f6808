//! The issuance centre's routes (`kiosk.rs`): extract, call, answer.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use myna_node::{ApiError, ApiJson};

use crate::{
    access::Caller,
    api::ErrorBody,
    issuance_log::IssuanceSubmission,
    kiosk::{IssuerRegistration, KioskOrder, KioskSession},
    state::Jlis,
};

type St = State<Arc<Jlis>>;

pub(crate) fn routes(state: Arc<Jlis>) -> Router {
    Router::new()
        .route("/v1/issuers", post(register))
        .route("/v1/issuers/keys", axum::routing::get(keys))
        .route("/v1/kiosk/sessions", post(session))
        .route("/v1/kiosk/documents", post(order))
        .route("/v1/issuances", post(log_issuance))
        .route("/v1/issuances/checkpoint", axum::routing::get(checkpoint))
        .route("/v1/issuances/{issuer}/{serial}", axum::routing::get(status))
        .with_state(state)
}

/// A municipality's certificate server says where it answers (at every start).
#[utoipa::path(post, path = "/v1/issuers", request_body = IssuerRegistration,
    responses((status = 204, description = "Registered"), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "Not a municipality", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn register(
    State(j): St,
    caller: Caller,
    ApiJson(r): ApiJson<IssuerRegistration>,
) -> Result<StatusCode, ApiError> {
    j.register_issuer(&caller, &r)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every municipality's document keys: check any issued document offline with them.
#[utoipa::path(get, path = "/v1/issuers/keys",
    responses((status = 200, description = "The issuers' key list `myna doc verify --keys` reads: {\"issuers\": [{\"kid\", \"name\", \"public\"}]}", body = Object)))]
pub(crate) async fn keys(State(j): St) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(j.issuer_keys()?))
}

/// A kiosk sends what the card signed on its reader; the holder's municipality and what it
/// offers come back with a one-time session.
#[utoipa::path(post, path = "/v1/kiosk/sessions", request_body = myna_link::LoginProof,
    responses((status = 201, body = KioskSession), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 401, description = "The card's signature does not stand: suspended or ended card, another kiosk's challenge, used before, too old", body = ErrorBody),
        (status = 403, description = "Not a kiosk", body = ErrorBody), (status = 409, description = "The municipality does not issue at stores, or the holder does not live in Japan", body = ErrorBody), (status = 502, body = ErrorBody)))]
pub(crate) async fn session(
    State(j): St,
    caller: Caller,
    ApiJson(proof): ApiJson<myna_link::LoginProof>,
) -> Result<(StatusCode, Json<KioskSession>), ApiError> {
    Ok((StatusCode::CREATED, Json(j.open_kiosk_session(&caller, &proof).await?)))
}

/// The session's order: the document as the municipality made it (PDF).
#[utoipa::path(post, path = "/v1/kiosk/documents", request_body = KioskOrder,
    responses((status = 200, content_type = "application/pdf", description = "The document to print"), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "Another kiosk's session", body = ErrorBody),
        (status = 404, description = "No such session, used or expired", body = ErrorBody), (status = 409, description = "The municipality refused: not offered, outside hours, year-end", body = ErrorBody), (status = 502, body = ErrorBody)))]
pub(crate) async fn order(State(j): St, caller: Caller, ApiJson(o): ApiJson<KioskOrder>) -> Result<Response, ApiError> {
    let pdf = j.kiosk_order(&caller, &o).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}

/// A municipality logs a document it issued or withdrew; the receipt (index, inclusion proof,
/// signed checkpoint) is printed into the document.
#[utoipa::path(post, path = "/v1/issuances", request_body = IssuanceSubmission,
    responses((status = 200, body = myna_issuance::log::Receipt), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "Not a municipality", body = ErrorBody),
        (status = 409, description = "This serial's event is logged with another digest", body = ErrorBody), (status = 422, description = "A serial of another municipality, a digest that is not SHA-256 hex, a time outside the last day", body = ErrorBody)))]
pub(crate) async fn log_issuance(
    State(j): St,
    caller: Caller,
    ApiJson(s): ApiJson<IssuanceSubmission>,
) -> Result<Json<myna_issuance::log::Receipt>, ApiError> {
    Ok(Json(j.log_issuance(&caller, s).await?))
}

/// The issuance log's latest checkpoint (a C2SP signed note; its key is in `/v1/issuers/keys`).
#[utoipa::path(get, path = "/v1/issuances/checkpoint",
    responses((status = 200, content_type = "text/plain", description = "The signed note")))]
pub(crate) async fn checkpoint(State(j): St) -> Result<Response, ApiError> {
    let note = j.issuances.checkpoint().map_err(crate::JlisError::from)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
}

/// What the log holds of a document, by its issuer's code and serial: its issuance and any
/// withdrawal, each with its inclusion proof against the checkpoint given with them.
#[utoipa::path(get, path = "/v1/issuances/{issuer}/{serial}",
    params(("issuer" = String, Path, description = "The municipality's code"), ("serial" = String, Path, description = "証明書番号")),
    responses((status = 200, body = myna_issuance::log::Status)))]
pub(crate) async fn status(
    State(j): St,
    Path((issuer, serial)): Path<(String, String)>,
) -> Result<Json<myna_issuance::log::Status>, ApiError> {
    Ok(Json(j.issuance_status(&issuer, &serial).await?))
}
