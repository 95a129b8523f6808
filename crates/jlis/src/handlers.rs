//! The registry's routes (and agencies' code requests), the edge over `registry.rs` and
//! `linkage.rs`: extract, call, answer.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::{get, post},
};
use myna_node::{ApiError, ApiJson};

use crate::{access::Caller, api::*, state::Jlis};

type St = State<Arc<Jlis>>;
type R<T> = Result<T, ApiError>;

pub(crate) fn routes(store: Arc<Jlis>) -> Router {
    Router::new()
        .route("/v1/events", post(record_event))
        .route("/v1/residents/{code}", get(resident))
        .route("/v1/residents/{code}/history", get(history))
        .route("/v1/households/{id}", get(household))
        .route("/v1/moves", post(move_out))
        .route("/v1/moves/incoming", get(incoming_moves))
        .route("/v1/moves/in", post(move_in))
        .route("/v1/moves/within", post(move_within))
        .route("/v1/lookup", post(lookup))
        .route("/v1/verify", post(verify))
        .route("/v1/inspection", post(inspect))
        .route("/v1/linkage/codes", post(codes))
        .route("/v1/linkage/codes/batch", post(codes_batch))
        .route("/v1/presence", post(presence))
        .route("/v1/access-log", post(access_log))
        .with_state(store)
}

#[utoipa::path(post, path = "/v1/events", request_body = EventRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per request; a retry with the same key and body returns the first answer")),
    responses((status = 201, body = EventRecorded), (status = 200, description = "A retry: the first answer again", body = EventRecorded),
        (status = 400, description = "Malformed JSON, not UTF-8, or no Idempotency-Key", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "Not a municipality, or not the one that keeps this register", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn record_event(
    State(j): St,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EventRequest>,
) -> R<(StatusCode, Json<EventRecorded>)> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let rec = j.record_event(&caller, key, &req).await?;
    let status = if rec.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(rec.answer)))
}

#[utoipa::path(get, path = "/v1/residents/{code}", params(("code" = String, Path, description = "住民票コード, 11 digits", pattern = "^[0-9]{11}$")),
    responses((status = 200, body = ResidentView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn resident(State(j): St, caller: Caller, Path(c): Path<String>) -> R<Json<ResidentView>> {
    Ok(Json(j.resident_record(&caller, &c).await?))
}

#[utoipa::path(get, path = "/v1/residents/{code}/history", params(("code" = String, Path, description = "住民票コード, 11 digits", pattern = "^[0-9]{11}$")),
    responses((status = 200, body = [HistoryEntry]), (status = 404, body = ErrorBody), (status = 422, description = "Not an 11-digit code", body = ErrorBody)))]
pub(crate) async fn history(State(j): St, caller: Caller, Path(c): Path<String>) -> R<Json<Vec<HistoryEntry>>> {
    Ok(Json(j.resident_history(&caller, &c).await?))
}

#[utoipa::path(get, path = "/v1/households/{id}", params(("id" = u64, Path)),
    responses((status = 200, description = "Members, head first", body = [ResidentView]), (status = 404, body = ErrorBody), (status = 422, description = "Not a household number", body = ErrorBody)))]
pub(crate) async fn household(State(j): St, caller: Caller, Path(id): Path<String>) -> R<Json<Vec<ResidentView>>> {
    Ok(Json(j.household(&caller, &id).await?))
}

/// 転出届 sent online: the resident's signed application, from the municipality they leave.
#[utoipa::path(post, path = "/v1/moves", request_body = myna_link::SignedInstruction,
    responses((status = 201, body = crate::MoveOutRecorded), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "Not the municipality that keeps the signer's register, or a signature J-LIS does not accept", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, description = "An application that cannot be read, a destination that is no address, a date out of range, a mover not in the household", body = ErrorBody)))]
pub(crate) async fn move_out(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<myna_link::SignedInstruction>,
) -> R<(StatusCode, Json<crate::MoveOutRecorded>)> {
    Ok((StatusCode::CREATED, Json(j.move_out(&caller, &req).await?)))
}

/// A 転居予約 checked (the resident's signed application, for a move within the caller's
/// municipality): who moves, recorded at the visit as a 転居.
#[utoipa::path(post, path = "/v1/moves/within", request_body = myna_link::SignedInstruction,
    responses((status = 200, body = crate::MoveOutRecorded), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "Not the municipality that keeps the signer's register, or a signature J-LIS does not accept", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "An application that cannot be read, a destination elsewhere, a mover not in the household", body = ErrorBody)))]
pub(crate) async fn move_within(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<myna_link::SignedInstruction>,
) -> R<Json<crate::MoveOutRecorded>> {
    Ok(Json(j.move_within(&caller, &req).await?))
}

/// The 転出証明書情報 of everyone moving to the caller's municipality (logged per resident).
#[utoipa::path(get, path = "/v1/moves/incoming", responses((status = 200, body = [crate::MoveNotice])))]
pub(crate) async fn incoming_moves(State(j): St, caller: Caller) -> R<Json<Vec<crate::MoveNotice>>> {
    Ok(Json(j.incoming_moves(&caller).await?))
}

/// 転入 at the visit, for people who moved out to the caller's municipality.
#[utoipa::path(post, path = "/v1/moves/in", request_body = crate::MoveInRequest,
    responses((status = 200, body = [ResidentView]), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 403, description = "They moved out to another municipality", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "No 転出 on record, or its notice lapsed", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn move_in(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<crate::MoveInRequest>,
) -> R<Json<Vec<ResidentView>>> {
    Ok(Json(j.move_in(&caller, &req).await?))
}

#[utoipa::path(post, path = "/v1/lookup", request_body = LookupRequest,
    responses((status = 200, body = LookupResponse), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 422, description = "Fewer than the required items, or an item that cannot be read", body = ErrorBody)))]
pub(crate) async fn lookup(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<LookupRequest>,
) -> R<Json<LookupResponse>> {
    Ok(Json(j.lookup(&caller, &req).await?))
}

/// マイナンバー情報総点検: up to 1,000 of the caller's links (number and its own 4 items),
/// each classed; a line that cannot be read is refused alone.
#[utoipa::path(post, path = "/v1/inspection", request_body = crate::InspectionRequest,
    responses((status = 200, body = [crate::InspectionResult]), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody),
        (status = 403, description = "A task the caller does not hold", body = ErrorBody), (status = 422, description = "No lines, more than 1,000, or no task", body = ErrorBody)))]
pub(crate) async fn inspect(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<crate::InspectionRequest>,
) -> R<Json<Vec<crate::InspectionResult>>> {
    Ok(Json(j.inspect(&caller, &req).await?))
}

#[utoipa::path(post, path = "/v1/verify", request_body = VerifyRequest,
    responses((status = 200, body = VerifyResponse), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 422, description = "A number or item that cannot be read", body = ErrorBody)))]
pub(crate) async fn verify(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> R<Json<VerifyResponse>> {
    Ok(Json(j.verify(&caller, &req).await?))
}

/// An agency's request for its code for a person (符号取得, JWS of Envelope<Enrolment>).
#[utoipa::path(post, path = "/v1/linkage/codes", request_body(content = String, content_type = "text/plain", description = "compact JWS of Envelope<Enrolment>, from an agency node (sent as application/jose; any text type is read)"),
    responses((status = 200, description = "JWS of Envelope<CodeIssued>"), (status = 401, description = "unsigned or not from the network"),
        (status = 403, description = "the sender is not an agency"), (status = 404, description = "no resident with that number"),
        (status = 422, description = "not an individual number"), (status = 502, description = "the hub could not be reached or refused"),
        (status = 503, description = "J-LIS is not connected to a hub")))]
pub(crate) async fn codes(State(j): St, body: String) -> R<Response> {
    Ok(myna_node::jose(j.issue_agency_code(&body).await?))
}

/// An agency's codes for up to 1,000 people at once (bulk enrolment, JWS of
/// Envelope<EnrolmentBatch>): the numbers J-LIS holds get a code, in the order sent; the others
/// none.
#[utoipa::path(post, path = "/v1/linkage/codes/batch", request_body(content = String, content_type = "text/plain", description = "compact JWS of Envelope<EnrolmentBatch>, from an agency node"),
    responses((status = 200, description = "JWS of Envelope<CodesIssued>"), (status = 401, description = "unsigned or not from the network"),
        (status = 403, description = "the sender is not an agency"), (status = 422, description = "a number that is not an individual number, or more than 1,000"),
        (status = 502, description = "the hub could not be reached or refused"), (status = 503, description = "J-LIS is not connected to a hub")))]
pub(crate) async fn codes_batch(State(j): St, body: String) -> R<Response> {
    Ok(myna_node::jose(j.issue_agency_codes(&body).await?))
}

/// Whose login a proof is (the hub, before it answers the portal's self-information).
#[utoipa::path(post, path = "/v1/presence", request_body = myna_link::PresenceCheck,
    responses((status = 200, body = myna_link::Presence), (status = 401, description = "The proof does not stand: expired, revoked, not signed by the certificate", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, description = "J-LIS is not connected to a hub", body = ErrorBody)))]
pub(crate) async fn presence(
    State(j): St,
    ApiJson(req): ApiJson<myna_link::PresenceCheck>,
) -> R<Json<myna_link::Presence>> {
    Ok(Json(j.presence(&req.proof).await?))
}

/// The signed-in resident's own entries of J-LIS's access log (本人確認情報の提供状況).
#[utoipa::path(post, path = "/v1/access-log", request_body = myna_link::AccessLogRequest,
    responses((status = 200, body = myna_link::AccessLogAnswer), (status = 401, description = "The proof does not stand", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn access_log(
    State(j): St,
    ApiJson(req): ApiJson<myna_link::AccessLogRequest>,
) -> R<Json<myna_link::AccessLogAnswer>> {
    Ok(Json(j.own_access_log(&req.proof, req.since).await?))
}
