//! The qualification system's API and who may call each route.

use std::sync::Arc;

use axum::{
    Extension, Json, Router,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use myna_link::SignedInstruction;
use myna_linkage::agency::{CLERK, Clerk};
use myna_node::{
    ApiError, ApiJson, Peer,
    access::{Access, Peers, Table, rule},
};
use utoipa::OpenApi;

use crate::{
    Qualifications,
    api::{ApplicationView, CredentialAnswer, EndRequest, Pass, Registered, RegistrationView, Synced},
    core::QualError,
};

type S = State<Arc<Qualifications>>;

/// An examining body (試験実施機関), by its certificate: `examiner:<name>`.
const EXAMINERS: Peers = Peers {
    who: "an examining body (examiner:<name>)",
    may: |id| id.as_str().starts_with("examiner:"),
    example: "examiner:mhlw-national-exams",
    not: "municipality:131016",
};

const SIGNED: Access = Access::InRequest("the person's own signature with the card's signing key");
const OPEN: Access = Access::Public("the status list and the issuer's keys, for any verifier");

pub const TABLE: Table = Table {
    node: "the qualification system",
    rules: &[
        rule("POST", "/v1/examinations", Access::Peers(EXAMINERS)),
        rule("POST", "/v1/applications", SIGNED),
        rule("GET", "/v1/applications", CLERK),
        rule("POST", "/v1/applications/{id}/register", CLERK),
        rule("POST", "/v1/registrations/{number}/end", CLERK),
        rule("POST", "/v1/registrations/sync", CLERK),
        rule("GET", "/v1/registrations/{number}", CLERK),
        rule("POST", "/v1/credentials", SIGNED),
        rule("GET", "/v1/status/1", OPEN),
        rule("GET", "/.well-known/jwt-vc-issuer", OPEN),
    ],
};

impl From<QualError> for ApiError {
    fn from(e: QualError) -> Self {
        let m = e.to_string();
        match e {
            QualError::NotAQualification(_) => ApiError::unprocessable("not_a_qualification", m),
            QualError::Invalid { field, .. } => ApiError::unprocessable(field, m),
            QualError::Stale => ApiError::unprocessable("stale", m),
            QualError::Jlis(e) => e.into(),
            QualError::Deceased => ApiError::conflict("deceased", m),
            QualError::NoApplication(_) | QualError::NoRegistration(_) => ApiError::not_found(m),
            QualError::Decided(_) | QualError::AlreadyRegistered(_) => ApiError::conflict("decided", m),
            QualError::NoPass { .. } => ApiError::conflict("no_pass", m),
            QualError::NotStanding(..) => ApiError::conflict("not_standing", m),
            QualError::Credential(e) => ApiError::internal(e),
            QualError::Store(e) => ApiError::store(e),
        }
    }
}

/// An examining body records a pass.
#[utoipa::path(post, path = "/v1/examinations", request_body = Pass, responses((status = 204, description = "Recorded (a second time changes nothing)"),
    (status = 400, description = "not JSON"), (status = 415, description = "not sent as application/json"), (status = 403, description = "not an examining body"),
    (status = 422, description = "a qualification not among the 32, or an empty field")))]
async fn pass(
    State(q): S,
    Extension(peer): Extension<Option<Peer>>,
    ApiJson(p): ApiJson<Pass>,
) -> Result<axum::http::StatusCode, ApiError> {
    let examiner = peer.map(|p| p.0.to_string()).unwrap_or_default();
    q.record_pass(&examiner, &p).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A person applies for registration, the application signed with the card: J-LIS names the
/// signer and gives the 本人確認情報 the clerk sees.
#[utoipa::path(post, path = "/v1/applications", request_body = SignedInstruction, responses((status = 201, body = ApplicationView),
    (status = 400, description = "not JSON"), (status = 415, description = "not sent as application/json"),
    (status = 401, description = "the signature does not stand at J-LIS"), (status = 409, description = "J-LIS holds the signer as deceased"),
    (status = 422, description = "not an application, signed too long ago, or a qualification not among the 32"), (status = 502, description = "J-LIS failed")))]
async fn apply(
    State(q): S,
    ApiJson(s): ApiJson<SignedInstruction>,
) -> Result<(axum::http::StatusCode, Json<ApplicationView>), ApiError> {
    Ok((axum::http::StatusCode::CREATED, Json(q.apply(s).await?)))
}

/// The applications waiting for the clerk, with whether the examining body's pass matches.
#[utoipa::path(get, path = "/v1/applications", responses((status = 200, body = Vec<ApplicationView>), (status = 401, description = "no staff session")))]
async fn pending(State(q): S) -> Result<Json<Vec<ApplicationView>>, ApiError> {
    Ok(Json(q.pending().await?))
}

/// The clerk registers an application against the examining body's pass.
#[utoipa::path(post, path = "/v1/applications/{id}/register", params(("id" = i64, Path)), responses((status = 201, body = Registered), (status = 400, description = "the id is not a number"),
    (status = 401, description = "no staff session"), (status = 404, description = "no such application"),
    (status = 409, description = "no matching pass, already decided, or already registered")))]
async fn register(
    State(q): S,
    Extension(clerk): Extension<Clerk>,
    Path(id): Path<i64>,
) -> Result<(axum::http::StatusCode, Json<Registered>), ApiError> {
    let by = clerk.account().unwrap_or("system").to_string();
    Ok((axum::http::StatusCode::CREATED, Json(q.register(id, &by).await?)))
}

/// The clerk ends (抹消・取消) or suspends a registration; the status list says so at once.
#[utoipa::path(post, path = "/v1/registrations/{number}/end", params(("number" = i64, Path)), request_body = EndRequest,
    responses((status = 204, description = "Ended or suspended"), (status = 400, description = "not JSON, or the number is not a number"), (status = 415, description = "not sent as application/json"),
        (status = 401, description = "no staff session"), (status = 404, description = "no such registration"), (status = 422, description = "no reason")))]
async fn end(
    State(q): S,
    Extension(clerk): Extension<Clerk>,
    Path(number): Path<i64>,
    ApiJson(r): ApiJson<EndRequest>,
) -> Result<axum::http::StatusCode, ApiError> {
    q.end(number, &r, clerk.account().unwrap_or("system")).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The clerk has every standing registration classed at J-LIS now (it runs every hour too): a
/// death ends one ex officio; a name change is taken in, and the holder told.
#[utoipa::path(post, path = "/v1/registrations/sync", responses((status = 200, body = Synced), (status = 401, description = "no staff session"), (status = 422, description = "J-LIS refused")))]
async fn sync(State(q): S) -> Result<Json<Synced>, ApiError> {
    Ok(Json(q.sync().await?))
}

/// A registration: its holder's name as kept current from J-LIS, and its standing.
#[utoipa::path(get, path = "/v1/registrations/{number}", params(("number" = i64, Path)), responses((status = 200, body = RegistrationView), (status = 400, description = "the number is not a number"), (status = 401, description = "no staff session"), (status = 404, description = "no such registration")))]
async fn registration(State(q): S, Path(number): Path<i64>) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(q.registration(number).await?))
}

/// The holder asks for the credential of their registration, signed with the card, naming
/// the key it is bound to.
#[utoipa::path(post, path = "/v1/credentials", request_body = SignedInstruction, responses((status = 200, body = CredentialAnswer),
    (status = 400, description = "not JSON"), (status = 415, description = "not sent as application/json"),
    (status = 401, description = "the signature does not stand at J-LIS"), (status = 404, description = "no such registration of the signer"),
    (status = 409, description = "the registration is ended or suspended"), (status = 422, description = "not a credential request, or signed too long ago")))]
async fn credential(State(q): S, ApiJson(s): ApiJson<SignedInstruction>) -> Result<Json<CredentialAnswer>, ApiError> {
    Ok(Json(q.credential(s).await?))
}

/// The status list of every registration (IETF Token Status List, `statuslist+jwt`).
#[utoipa::path(get, path = "/v1/status/1", responses((status = 200, content_type = "application/statuslist+jwt", description = "The signed list")))]
async fn status(State(q): S) -> Result<Response, ApiError> {
    let token = q.status_token().await?;
    Ok(([(header::CONTENT_TYPE, "application/statuslist+jwt"), (header::CACHE_CONTROL, "max-age=300")], token)
        .into_response())
}

/// The issuer's keys (SD-JWT VC issuer metadata).
#[utoipa::path(get, path = "/.well-known/jwt-vc-issuer", responses((status = 200, description = "{\"issuer\", \"jwks\"}", body = Object)))]
async fn metadata(State(q): S) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(q.metadata()?))
}

#[derive(OpenApi)]
#[openapi(
    paths(pass, apply, pending, register, end, sync, registration, credential, status, metadata),
    components(schemas(
        Pass,
        ApplicationView,
        Registered,
        RegistrationView,
        EndRequest,
        CredentialAnswer,
        Synced,
        SignedInstruction
    ))
)]
pub(crate) struct Doc;

pub(crate) fn routes(q: Arc<Qualifications>) -> Router {
    let clerks = Router::new()
        .route("/v1/applications", get(pending))
        .route("/v1/applications/{id}/register", post(register))
        .route("/v1/registrations/{number}/end", post(end))
        .route("/v1/registrations/sync", post(sync))
        .route("/v1/registrations/{number}", get(registration))
        .route_layer(axum::middleware::from_fn_with_state(q.agency.clone(), myna_linkage::agency::clerk_gate))
        .with_state(q.clone());
    Router::new()
        .route("/v1/examinations", post(pass))
        .route("/v1/applications", post(apply))
        .route("/v1/credentials", post(credential))
        .route("/v1/status/1", get(status))
        .route("/.well-known/jwt-vc-issuer", get(metadata))
        .with_state(q)
        .merge(clerks)
        .route_layer(axum::middleware::from_fn_with_state(TABLE, myna_node::access::authorize))
}
