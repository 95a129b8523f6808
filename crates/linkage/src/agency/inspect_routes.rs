//! The clerk API of マイナンバー情報総点検 on an agency's node: inspect records in batches,
//! read the queue of suspect links, correct or dismiss each. Handlers of a line or two over
//! `inspect.rs`; the caller is resolved by `clerk_gate` before a body is read.

use std::sync::Arc;

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use myna_link::inspection::{AgencyInspected, AgencyInspection, Corrected, Correction, Dismissal, Suspect};
use myna_node::{ApiError, ApiJson};

use super::{Agency, Clerk};

type S = State<Arc<Agency>>;

/// Who is recorded as deciding: the member of staff, or the agency's own system.
fn who(c: &Clerk) -> &str {
    c.account().unwrap_or("system")
}

/// Inspects up to 1,000 of the agency's records at J-LIS (number and the agency's own 4 items
/// each); the ones J-LIS classes wrong are queued for a clerk.
#[utoipa::path(post, path = "/v1/inspection", request_body = AgencyInspection,
    responses((status = 200, body = AgencyInspected), (status = 403, description = "J-LIS refused: not a task of this agency's"),
        (status = 422, description = "no records, more than 1,000, or a bad person reference")))]
pub(super) async fn inspect(
    State(a): S,
    ApiJson(r): ApiJson<AgencyInspection>,
) -> Result<Json<AgencyInspected>, ApiError> {
    Ok(Json(a.inspect(&r).await?))
}

/// The queue of suspect links: open ones first, then those decided.
#[utoipa::path(get, path = "/v1/inspection/suspects", responses((status = 200, body = Vec<Suspect>)))]
pub(super) async fn suspects(State(a): S) -> Result<Json<Vec<Suspect>>, ApiError> {
    Ok(Json(a.suspects().await?))
}

/// Corrects a suspect with the person's right number: re-linked through J-LIS, the exchanges
/// made under the wrong link marked in both people's records, both told.
#[utoipa::path(post, path = "/v1/inspection/suspects/{person}/correct", request_body = Correction,
    params(("person" = String, Path, description = "the agency's reference")),
    responses((status = 200, body = Corrected), (status = 404, description = "no suspect of this person's queued"),
        (status = 409, description = "already decided, or the right person is another record here"),
        (status = 422, description = "the number is not the resident the agency's items are, or it is the one the record already carries")))]
pub(super) async fn correct(
    State(a): S,
    Extension(clerk): Extension<Clerk>,
    Path(person): Path<String>,
    ApiJson(r): ApiJson<Correction>,
) -> Result<Json<Corrected>, ApiError> {
    Ok(Json(a.correct(&person, &r, who(&clerk)).await?))
}

/// Closes a suspect as right after all, with the reason.
#[utoipa::path(post, path = "/v1/inspection/suspects/{person}/dismiss", request_body = Dismissal,
    params(("person" = String, Path, description = "the agency's reference")),
    responses((status = 204), (status = 404, description = "no suspect of this person's queued"), (status = 409, description = "already decided"),
        (status = 422, description = "no reason given")))]
pub(super) async fn dismiss(
    State(a): S,
    Extension(clerk): Extension<Clerk>,
    Path(person): Path<String>,
    ApiJson(r): ApiJson<Dismissal>,
) -> Result<StatusCode, ApiError> {
    a.dismiss(&person, &r, who(&clerk)).await?;
    Ok(StatusCode::NO_CONTENT)
}
