//! The card and JPKI routes, the edge over the service in `jpki.rs`: application, issuance,
//! suspension, return, reset, reissue; the CA certificates, CRLs, OCSP; signature checks;
//! verifiers and holders' consents.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use myna_node::{ApiError, ApiJson};

use crate::{access::Caller, api::ErrorBody, cards_api::*, state::Jlis};

type St = State<Arc<Jlis>>;
type R<T> = Result<T, ApiError>;

pub(crate) fn routes(state: Arc<Jlis>) -> Router {
    Router::new()
        .route("/v1/jpki/ca", get(authority))
        .route("/v1/cards/applications", post(apply))
        .route("/v1/cards/{card}", get(card))
        .route("/v1/cards/{card}/issue", post(issue))
        .route("/v1/cards/{card}/suspend", post(suspend))
        .route("/v1/cards/{card}/holder-suspend", post(holder_suspend))
        .route("/v1/cards/{card}/resume", post(resume))
        .route("/v1/cards/{card}/return", post(return_card))
        .route("/v1/cards/{card}/reset-key", post(reset_key))
        .route("/v1/cards/{card}/reissue-signing", post(reissue_signing))
        .route("/crl/{file}", get(crl))
        .route("/ocsp", post(ocsp))
        .route("/v1/jpki/verify", post(verify_signature))
        .route("/v1/verifiers", post(register_verifier))
        .route("/v1/consents", post(consent))
        .route("/v1/verifiers/me/certificates/{serial}/latest", get(latest))
        .with_state(state)
}

#[utoipa::path(get, path = "/v1/jpki/ca", responses((status = 200, body = AuthorityView)))]
pub(crate) async fn authority(State(j): St) -> Json<AuthorityView> {
    Json(j.authority())
}

#[utoipa::path(post, path = "/v1/cards/applications", request_body = ApplyRequest,
    responses((status = 201, body = CardView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already holds a card, or not living here", body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn apply(
    State(j): St,
    caller: Caller,
    ApiJson(req): ApiJson<ApplyRequest>,
) -> R<(StatusCode, Json<CardView>)> {
    Ok((StatusCode::CREATED, Json(j.apply_card(&caller, &req).await?)))
}

#[utoipa::path(get, path = "/v1/cards/{card}", params(("card" = String, Path, description = "12-digit card number", pattern = "^[0-9]{12}$")),
    responses((status = 200, body = CardView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn card(State(j): St, caller: Caller, Path(card): Path<String>) -> R<Json<CardView>> {
    Ok(Json(j.card(&caller, &card).await?))
}

#[utoipa::path(post, path = "/v1/cards/{card}/issue", request_body = IssueRequestBody, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 201, body = CardView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Not in the applied state", body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, description = "A request that is malformed or not signed by its key", body = ErrorBody)))]
pub(crate) async fn issue(
    State(j): St,
    caller: Caller,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<IssueRequestBody>,
) -> R<(StatusCode, Json<CardView>)> {
    Ok((StatusCode::CREATED, Json(j.issue_card(&caller, &card, &req).await?)))
}

#[utoipa::path(post, path = "/v1/cards/{card}/suspend", params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Suspended: both certificates on hold", body = CardView), (status = 401, description = "The hotline's operator has not signed in", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn suspend(
    State(j): St,
    caller: Caller,
    headers: HeaderMap,
    Path(card): Path<String>,
) -> R<Json<CardView>> {
    let by = match &caller {
        // The hotline suspends through its operator, who is named in the card's record.
        Caller::Hotline(id) => {
            let staff = match j.staff.get() {
                Some(s) => s.staff(&headers).await?,
                None => None,
            };
            match staff {
                Some(s) if s.role == "hotline" => format!("{id}:{}", s.account),
                _ => {
                    return Err(ApiError::unauthorized(
                        "operator_session",
                        "the hotline's operator signs in with their staff card (POST /v1/staff/challenge, then \
                         /v1/staff/login) and sends Authorization: Bearer <session>",
                    ));
                }
            }
        }
        other => other.id().to_string(),
    };
    Ok(Json(j.suspend_card(&caller, &by, &card).await?))
}

/// The holder suspends their own card with it (the user-authentication key signs the
/// statement); the card's record names `holder`.
#[utoipa::path(post, path = "/v1/cards/{card}/holder-suspend", request_body = HolderSuspend, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Suspended: both certificates on hold", body = CardView), (status = 400, body = ErrorBody), (status = 401, description = "Not this card's good certificate, or a bad signature", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Not issued (already suspended or ended)", body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn holder_suspend(
    State(j): St,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<HolderSuspend>,
) -> R<Json<CardView>> {
    Ok(Json(j.suspend_by_holder(&card, &req).await?))
}

#[utoipa::path(post, path = "/v1/cards/{card}/resume", params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Found again: the hold is lifted", body = CardView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn resume(State(j): St, caller: Caller, Path(card): Path<String>) -> R<Json<CardView>> {
    Ok(Json(j.resume_card(&caller, &card).await?))
}

#[utoipa::path(post, path = "/v1/cards/{card}/return", params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Returned: both certificates revoked", body = CardView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn return_card(State(j): St, caller: Caller, Path(card): Path<String>) -> R<Json<CardView>> {
    Ok(Json(j.return_card(&caller, &card).await?))
}

#[utoipa::path(post, path = "/v1/cards/{card}/reset-key", request_body = ResetKeyRequest, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, body = ResetKeyResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn reset_key(
    State(j): St,
    caller: Caller,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<ResetKeyRequest>,
) -> R<Json<ResetKeyResponse>> {
    Ok(Json(j.release_reset_key(&caller, &card, &req).await?))
}

#[utoipa::path(post, path = "/v1/cards/{card}/reissue-signing", request_body = ReissueRequest, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 201, body = CardView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn reissue_signing(
    State(j): St,
    caller: Caller,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<ReissueRequest>,
) -> R<(StatusCode, Json<CardView>)> {
    Ok((StatusCode::CREATED, Json(j.reissue_signing(&caller, &card, &req).await?)))
}

#[utoipa::path(get, path = "/crl/{file}", params(("file" = String, Path, description = "sign.crl or auth.crl")),
    responses((status = 200, description = "DER CRL (RFC 5280)", content_type = "application/pkix-crl", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub(crate) async fn crl(State(j): St, Path(file): Path<String>) -> R<Response> {
    let der = j.crl_file(&file).await?;
    Ok(([(header::CONTENT_TYPE, "application/pkix-crl")], (*der).clone()).into_response())
}

#[utoipa::path(post, path = "/ocsp", request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "DER OCSPRequest; clients usually send it as application/ocsp-request, which is accepted too"),
    responses((status = 200, description = "DER OCSP response (RFC 6960); a malformed request gets malformedRequest", content_type = "application/ocsp-response", body = Vec<u8>), (status = 401, body = ErrorBody)))]
pub(crate) async fn ocsp(State(j): St, headers: HeaderMap, body: Bytes) -> R<Response> {
    j.verifier(myna_node::bearer(&headers)).await?;
    let der = j.ocsp(&body).await?;
    Ok(([(header::CONTENT_TYPE, "application/ocsp-response")], der).into_response())
}

#[utoipa::path(post, path = "/v1/jpki/verify", request_body = SignatureCheckRequest,
    responses((status = 200, description = "valid, or why not", body = SignatureCheckResponse), (status = 400, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn verify_signature(
    State(j): St,
    ApiJson(req): ApiJson<SignatureCheckRequest>,
) -> R<Json<SignatureCheckResponse>> {
    Ok(Json(j.check_signature(&req).await?))
}

#[utoipa::path(post, path = "/v1/verifiers", request_body = VerifierRequest,
    responses((status = 201, body = VerifierRegistered), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn register_verifier(
    State(j): St,
    ApiJson(req): ApiJson<VerifierRequest>,
) -> R<(StatusCode, Json<VerifierRegistered>)> {
    Ok((StatusCode::CREATED, Json(j.register_verifier(&req).await?)))
}

#[utoipa::path(post, path = "/v1/consents", request_body = ConsentRequest,
    responses((status = 204, description = "Recorded"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, description = "Not signed by a good signing certificate", body = ErrorBody)))]
pub(crate) async fn consent(State(j): St, ApiJson(req): ApiJson<ConsentRequest>) -> R<StatusCode> {
    j.consent(&req).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/verifiers/me/certificates/{serial}/latest", params(("serial" = String, Path, description = "A signing certificate's serial (hex) the verifier received")),
    responses((status = 200, body = LatestView), (status = 401, body = ErrorBody), (status = 403, description = "No consent from the holder", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn latest(State(j): St, headers: HeaderMap, Path(serial): Path<String>) -> R<Json<LatestView>> {
    let verifier = j.verifier(myna_node::bearer(&headers)).await?;
    Ok(Json(j.latest(&verifier, &serial).await?))
}
