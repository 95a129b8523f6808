//! The agency node's HTTP API, the edge over [`Agency`]: the hub's forwards (signed JWS), and
//! the clerk API (bearer token, checked before a body is read). Statuses for the core's errors
//! are given here, in one `From`.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Query as Q, State},
    http::StatusCode,
    response::Response,
    routing::{get, post, put},
};
use myna_link::{
    Enrolment,
    clerk_api::{
        CardEnrolRequest, CopyRequest, EnrolRequest, Enrolled, ExchangeView, NoticeSend, NoticeSent, PushSend,
        PushSent, QueryRequest, QueryResult,
    },
};
use myna_node::{
    ApiError, ApiJson,
    access::{Access, Table, rule},
};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::{Agency, AgencyError, inspect_routes as ins};
use crate::edge::rejected;
use crate::wire::{CallError, jose};

type S = State<Arc<Agency>>;

impl From<AgencyError> for ApiError {
    fn from(e: AgencyError) -> Self {
        match e {
            AgencyError::Store(e) => ApiError::store(e),
            AgencyError::Call(e) => call_error(e),
            AgencyError::Envelope(e) => rejected(e),
            e @ AgencyError::NotFromHub => ApiError::forbidden("not_hub", e.to_string()),
            AgencyError::Invalid { field, reason } => ApiError::unprocessable(field, reason),
            e @ (AgencyError::NotEnrolled(_) | AgencyError::NotQueued(_)) => ApiError::not_found(e.to_string()),
            AgencyError::Conflict { code, reason } => ApiError::conflict(code, reason),
            AgencyError::RecipientUnknown(m) => ApiError::bad_gateway("recipient_unknown", m),
            e @ AgencyError::Answer(_) => ApiError::bad_gateway("bad_answer", e.to_string()),
            e @ (AgencyError::Setup(_) | AgencyError::Tls(_) | AgencyError::Internal(_)) => ApiError::internal(e),
        }
    }
}

/// Another node's refusal passed on with its status; a node not reached is 502.
fn call_error(e: CallError) -> ApiError {
    match e {
        CallError::Unreachable(..) => ApiError::bad_gateway("unreachable", e.to_string()),
        CallError::Refused { status, code, message, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let code: &'static str = match code.as_str() {
                "refused" => "refused",
                "failed" => "failed",
                _ => "upstream",
            };
            ApiError::new(status, code, message)
        }
    }
}

pub const CLERK: Access = Access::InRequest(
    "a clerk's staff session (Authorization: Bearer <session> from /v1/staff/login with the staff card), or the agency's own business system's token",
);

/// Who may call which route of an agency's node.
pub const TABLE: Table = Table {
    node: "the agency's node",
    rules: &[
        // The hub's forwards: only the hub's certificate gets in (and the forward is signed by it).
        rule("POST", "/v1/provide", Access::Peers(myna_node::access::HUB)),
        rule("POST", "/v1/people", CLERK),
        rule("POST", "/v1/people/by-card", CLERK),
        rule("PUT", "/v1/people/{person}/copies/{item}", CLERK),
        rule("POST", "/v1/queries", CLERK),
        rule("GET", "/v1/exchanges", CLERK),
        rule("POST", "/v1/notices", CLERK),
        rule("POST", "/v1/pushes", CLERK),
        rule("POST", "/v1/inspection", CLERK),
        rule("GET", "/v1/inspection/suspects", CLERK),
        rule("POST", "/v1/inspection/suspects/{person}/correct", CLERK),
        rule("POST", "/v1/inspection/suspects/{person}/dismiss", CLERK),
        rule("POST", "/v1/staff/challenge", Access::Public("a challenge for a staff card to sign; stateless")),
        rule("POST", "/v1/staff/login", Access::InRequest("the staff card's signature over the challenge")),
    ],
};

pub(super) fn provider(agency: Arc<Agency>) -> Router {
    Router::new().route("/v1/provide", post(provide)).with_state(agency)
}

/// Routes the hub alone calls, by its certificate's name.
pub const HUB_ONLY: &[&str] = &[crate::hub::HUB_ID];

/// The clerk API.
pub(super) fn clerks(agency: Arc<Agency>) -> Router {
    Router::new()
        .route("/v1/people", post(enrol))
        .route("/v1/people/by-card", post(enrol_by_card))
        .route("/v1/people/{person}/copies/{item}", put(put_copy))
        .route("/v1/queries", post(query))
        .route("/v1/exchanges", get(exchanges))
        .route("/v1/notices", post(send))
        .route("/v1/pushes", post(push))
        .route("/v1/inspection", post(ins::inspect))
        .route("/v1/inspection/suspects", get(ins::suspects))
        .route("/v1/inspection/suspects/{person}/correct", post(ins::correct))
        .route("/v1/inspection/suspects/{person}/dismiss", post(ins::dismiss))
        // The caller is resolved before a request's body is read.
        .route_layer(axum::middleware::from_fn_with_state(agency.clone(), clerk_gate))
        .with_state(agency)
}

/// Who is using the clerk API: a named member of staff, or the agency's own business system
/// (its token: machine-to-machine within the organization, loading copies and the like).
#[derive(Debug, Clone)]
pub enum Clerk {
    Staff(myna_rp::staff::Staff),
    System,
}

impl Clerk {
    /// The account recorded with what the caller does.
    pub fn account(&self) -> Option<&str> {
        match self {
            Clerk::Staff(s) => Some(&s.account),
            Clerk::System => None,
        }
    }
}

/// Resolves the caller of a clerk route (a staff session, or the agency's own system's token)
/// before the body is read. The organization's other systems beside its node (a
/// municipality's benefit system) gate their routes with it too.
pub async fn clerk_gate(
    State(a): S,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let clerk = if a.clerk_ok(myna_node::bearer(req.headers()).unwrap_or_default()) {
        Ok(Clerk::System)
    } else {
        match a.staff.staff(req.headers()).await {
            Ok(Some(s)) => Ok(Clerk::Staff(s)),
            Ok(None) => Err(ApiError::unauthorized(
                "staff_session",
                "sign in with your staff card (POST /v1/staff/challenge, then /v1/staff/login) and send \
                 Authorization: Bearer <session>",
            )),
            Err(e) => Err(e),
        }
    };
    match clerk {
        Ok(c) => {
            req.extensions_mut().insert(c);
            next.run(req).await
        }
        Err(e) => myna_node::access::drained(req, e.into_response()).await,
    }
}

/// The hub's forward of a permitted query; answers the provider's signed answer.
#[utoipa::path(post, path = "/v1/provide", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<Forward>, from the hub"),
    responses((status = 200, description = "JWS of Envelope<Answer>, addressed to the requester"), (status = 401, description = "not signed by the hub, or stale"),
        (status = 409, description = "the copy's layout cannot serve the requested version")))]
async fn provide(State(a): S, body: String) -> Result<Response, ApiError> {
    Ok(jose(a.provide(&body).await?))
}

/// Obtains the agency's code for a person from J-LIS (符号取得) and keeps it.
#[utoipa::path(post, path = "/v1/people", request_body = EnrolRequest, responses((status = 200, body = Enrolled), (status = 401), (status = 404, description = "J-LIS knows no such number"),
    (status = 422, description = "the items are not the number's resident's (the reason names the item), or one cannot be read")))]
async fn enrol(State(a): S, ApiJson(r): ApiJson<EnrolRequest>) -> Result<Json<Enrolled>, ApiError> {
    let code = a.enrol(&r.person, Enrolment::Items(r.items())).await?;
    Ok(Json(Enrolled { person: r.person, code }))
}

/// Enrols a person with the number and the 4 items read from their card (券面事項入力補助),
/// signed by J-LIS, instead of typed.
#[utoipa::path(post, path = "/v1/people/by-card", request_body = CardEnrolRequest, responses((status = 200, body = Enrolled), (status = 401),
    (status = 422, description = "the face data does not verify or is not J-LIS's, or J-LIS finds its items are no longer the number's resident's")))]
async fn enrol_by_card(State(a): S, ApiJson(r): ApiJson<CardEnrolRequest>) -> Result<Json<Enrolled>, ApiError> {
    let (_, code) = a.enrol_by_card(&r.person, &r.face).await?;
    Ok(Json(Enrolled { person: r.person, code }))
}

/// Registers (or replaces) a copy (副本) of an item for an enrolled person, checked against the
/// layout.
#[utoipa::path(put, path = "/v1/people/{person}/copies/{item}", request_body = CopyRequest,
    responses((status = 204), (status = 404, description = "person not enrolled"), (status = 422, description = "does not match the layout")))]
async fn put_copy(
    State(a): S,
    Path((person, item)): Path<(String, String)>,
    ApiJson(r): ApiJson<CopyRequest>,
) -> Result<StatusCode, ApiError> {
    a.put_copy(&person, &item, r.version, &r.data).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks the hub for an item about an enrolled person, and opens the answer. A refusal (403)
/// or a provider's failure (502) names its record in the hub's log.
#[utoipa::path(post, path = "/v1/queries", request_body = QueryRequest,
    responses((status = 200, body = QueryResult), (status = 403, description = "refused by the hub"), (status = 502, description = "the provider failed or the hub is down")))]
async fn query(
    State(a): S,
    axum::Extension(clerk): axum::Extension<Clerk>,
    ApiJson(r): ApiJson<QueryRequest>,
) -> Result<Json<QueryResult>, ApiError> {
    Ok(Json(a.ask_as(&r, clerk.account()).await?))
}

#[derive(Deserialize, IntoParams)]
struct Limit {
    #[serde(default)]
    limit: Option<u32>,
}

/// The agency's own record of what it asked and answered, newest first.
#[utoipa::path(get, path = "/v1/exchanges", params(Limit), responses((status = 200, body = Vec<ExchangeView>)))]
async fn exchanges(State(a): S, Q(l): Q<Limit>) -> Result<Json<Vec<ExchangeView>>, ApiError> {
    let rows = a.exchanges(l.limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ExchangeView {
                message: r.message,
                role: r.role,
                peer: r.peer,
                task: r.task,
                item: r.item,
                outcome: r.outcome,
                record: r.record,
                at: r.at,
                staff: r.staff,
            })
            .collect(),
    ))
}

/// Sends a notice to a resident through the hub; the portal keeps it for them.
#[utoipa::path(post, path = "/v1/notices", request_body = NoticeSend,
    responses((status = 200, body = NoticeSent), (status = 404, description = "person not enrolled"), (status = 422, description = "empty or oversized"), (status = 502, description = "the portal or hub failed")))]
async fn send(State(a): S, ApiJson(r): ApiJson<NoticeSend>) -> Result<Json<NoticeSent>, ApiError> {
    Ok(Json(a.notify(&r).await?))
}

/// Pushes data about a person to another agency's node through the hub (an insurer's
/// eligibility to the health node, a municipality's PMH record).
#[utoipa::path(post, path = "/v1/pushes", request_body = PushSend,
    responses((status = 200, body = PushSent), (status = 403, description = "this agency may not push this kind to that recipient"), (status = 404, description = "person not enrolled"),
        (status = 502, description = "the recipient refused (the reason is passed on) or the hub failed")))]
async fn push(State(a): S, ApiJson(r): ApiJson<PushSend>) -> Result<Json<PushSent>, ApiError> {
    Ok(Json(PushSent { record: a.push_data(&r.person, &r.to, r.kind, &r.data).await? }))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna agency node (中間サーバー)",
        description = "An agency's node: the hub's forwards (signed JWS, answered sealed to the requester), and the clerk API (bearer token): enrol a person through J-LIS, register copies checked against the data standard layout, run a query, read the agency's own exchange record. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(
        provide,
        enrol,
        enrol_by_card,
        put_copy,
        query,
        send,
        push,
        exchanges,
        ins::inspect,
        ins::suspects,
        ins::correct,
        ins::dismiss,
        myna_rp::staff::staff_challenge,
        myna_rp::staff::staff_login
    ),
    components(schemas(
        EnrolRequest,
        CardEnrolRequest,
        Enrolled,
        CopyRequest,
        QueryRequest,
        QueryResult,
        ExchangeView,
        NoticeSend,
        NoticeSent,
        PushSend,
        PushSent,
        myna_link::inspection::AgencyInspection,
        myna_link::inspection::RecordToInspect,
        myna_link::inspection::AgencyInspected,
        myna_link::inspection::InspectionResult,
        myna_link::inspection::Suspect,
        myna_link::inspection::HeldItems,
        myna_link::inspection::Correction,
        myna_link::inspection::Dismissal,
        myna_link::inspection::Corrected,
        myna_rp::ChallengeView,
        myna_rp::LoginBody,
        myna_rp::staff::StaffSession,
        myna_rp::staff::Staff
    ))
)]
struct Doc;

pub fn openapi_json() -> String {
    TABLE.document(&Doc::openapi().to_json().unwrap_or_default())
}
