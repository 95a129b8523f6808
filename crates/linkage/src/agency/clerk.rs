//! The agency's clerk API (bearer token): enrol a person (符号取得 through J-LIS), register
//! copies, run a query through the hub and read the answer, read the agency's own record.

use std::sync::Arc;

use super::store::ExchangeRow;
use axum::{
    Json, Router,
    extract::{Path, Query as Q, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post, put},
};
use myna_link::{
    Answer, CodeIssued, Delivery, Enrolment, Envelope, InfoItem, Query, Version, open_envelope, payload_aad,
};
use myna_node::{ApiError, ApiJson};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::Agency;
use crate::wire::{CallError, now_ms, now_secs, post_jws};
pub use myna_link::clerk_api::{QueryRequest, QueryResult};

type S = State<Arc<Agency>>;

pub fn routes(agency: Arc<Agency>) -> Router {
    Router::new()
        .route("/v1/people", post(enrol))
        .route("/v1/people/{person}/copies/{item}", put(put_copy))
        .route("/v1/queries", post(query))
        .route("/v1/exchanges", get(exchanges))
        // The clerk's token is checked before a request's body is read.
        .route_layer(axum::middleware::from_fn_with_state(
            (agency.clone(), clerk as myna_node::HeaderCheck<_>),
            myna_node::check_caller,
        ))
        .with_state(agency)
}

pub(super) fn clerk(a: &Arc<Agency>, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = myna_node::bearer(headers).unwrap_or_default();
    if a.clerk_ok(token) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "clerk_token",
            "a clerk's bearer token is required (the node's clerk.token)",
        ))
    }
}

pub(super) fn check_person(p: &str) -> Result<(), ApiError> {
    if (1..=64).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(())
    } else {
        Err(ApiError::unprocessable("person", "a person reference is 1–64 of A–Z, a–z, 0–9, - and _"))
    }
}

pub(super) fn call_error(e: CallError) -> ApiError {
    match e {
        CallError::Unreachable(..) => ApiError::new(StatusCode::BAD_GATEWAY, "unreachable", e.to_string()),
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

#[derive(Serialize, Deserialize, ToSchema)]
pub struct EnrolRequest {
    /// The agency's own reference for the person (宛名番号 or file number).
    pub person: String,
    /// The individual number (12 digits), sent to J-LIS only.
    pub number: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Enrolled {
    pub person: String,
    /// This agency's code for the person.
    pub code: String,
}

/// Obtains the agency's code for a person from J-LIS (符号取得) and keeps it.
#[utoipa::path(post, path = "/v1/people", request_body = EnrolRequest, responses((status = 200, body = Enrolled), (status = 401), (status = 404, description = "J-LIS knows no such number")))]
async fn enrol(State(a): S, ApiJson(r): ApiJson<EnrolRequest>) -> Result<Json<Enrolled>, ApiError> {
    check_person(&r.person)?;
    let code = a.enrol(&r.person, Enrolment::Number { number: r.number.clone() }).await?;
    Ok(Json(Enrolled { person: r.person, code }))
}

impl Agency {
    /// Obtains this agency's code for a person through J-LIS (符号取得) and keeps it under
    /// `person`, the agency's own reference. Returns the code.
    pub async fn enrol(&self, person: &str, how: Enrolment) -> Result<String, ApiError> {
        if let Some(code) = self.store.code_of(person).await? {
            return Ok(code);
        }
        let code = self.obtain_code(how).await?;
        self.store.enrol(person, &code, now_secs()).await.map_err(|e| ApiError::conflict("enrolled", e.to_string()))?;
        Ok(code)
    }

    /// This agency's code for a person it enrolled, or 404.
    pub(super) async fn code_of_person(&self, person: &str) -> Result<String, ApiError> {
        self.store.code_of(person).await?.ok_or_else(|| ApiError::not_found(format!("{person} is not enrolled here")))
    }

    /// Asks J-LIS for this agency's code for a person, without keeping it.
    pub async fn obtain_code(&self, how: Enrolment) -> Result<String, ApiError> {
        let (_, jws) = self.sign(&self.jlis, how).map_err(ApiError::internal)?;
        let answer = post_jws(&self.client, &format!("{}/v1/linkage/codes", self.config.jlis_url), jws)
            .await
            .map_err(call_error)?;
        let env: Envelope<CodeIssued> =
            open_envelope(&self.trust, &answer, &self.id, now_secs()).map_err(ApiError::internal)?;
        if env.from != self.jlis || env.body.agency != self.id {
            return Err(ApiError::internal("J-LIS's answer is not from J-LIS or not for this agency"));
        }
        Ok(env.body.code.to_string())
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CopyRequest {
    /// The layout version of `data` (default: the newest).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub version: Option<Version>,
    /// The item's fields, as its layout gives them.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
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
    let item: InfoItem =
        item.parse().map_err(|e: myna_link::TableError| ApiError::unprocessable("item", e.to_string()))?;
    let version = match r.version {
        Some(v) => v,
        None => a.layouts.latest(item).ok_or_else(|| ApiError::unprocessable("item", "no layout for this item"))?,
    };
    a.layouts.validate(item, version, &r.data).map_err(|e| ApiError::unprocessable("layout", e.to_string()))?;
    let code = a
        .store
        .code_of(&person)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{person} is not enrolled here: POST /v1/people first")))?;
    a.store.put_copy(&code, item.id(), &version.to_string(), &r.data.to_string(), now_secs()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks the hub for an item about an enrolled person, and opens the answer. A refusal (403)
/// or a provider's failure (502) names its record in the hub's log.
#[utoipa::path(post, path = "/v1/queries", request_body = QueryRequest,
    responses((status = 200, body = QueryResult), (status = 403, description = "refused by the hub"), (status = 502, description = "the provider failed or the hub is down")))]
async fn query(State(a): S, ApiJson(r): ApiJson<QueryRequest>) -> Result<Json<QueryResult>, ApiError> {
    Ok(Json(a.ask(&r).await?))
}

impl Agency {
    /// One query through the hub, as the clerk API and the load generator run it.
    pub async fn ask(&self, r: &QueryRequest) -> Result<QueryResult, ApiError> {
        let code = self.code_of_person(&r.person).await?;
        let version = match r.version {
            Some(v) => v,
            None => self.layouts.latest(r.item).ok_or_else(|| ApiError::unprocessable("item", "no layout"))?,
        };
        let q = Query {
            task: r.task.clone(),
            item: r.item,
            version,
            provider: r.provider.clone(),
            code: code.parse().map_err(ApiError::internal)?,
            purpose: r.purpose.clone(),
        };
        q.check_purpose().map_err(|e| ApiError::unprocessable("purpose", e.to_string()))?;
        let (id, jws) = self.sign(&self.hub, q).map_err(ApiError::internal)?;
        let mut row = ExchangeRow {
            message: id.to_string(),
            role: "asked".into(),
            peer: r.provider.to_string(),
            task: r.task.to_string(),
            item: r.item.id().into(),
            code,
            outcome: String::new(),
            record: None,
            at: now_ms(),
        };
        let answer = match post_jws(&self.client, &format!("{}/v1/query", self.config.hub_url), jws).await {
            Ok(text) => text,
            Err(e) => {
                row.outcome = match &e {
                    CallError::Refused { code, .. } if code == "refused" => "refused",
                    _ => "failed",
                }
                .into();
                self.store.record(&row).await?;
                return Err(call_error(e));
            }
        };
        let bad = |why: String| ApiError::new(StatusCode::BAD_GATEWAY, "bad_answer", why);
        let delivery: Envelope<Delivery> = open_envelope(&self.trust, &answer, &self.id, now_secs())
            .map_err(|e| bad(format!("the hub's answer: {e}")))?;
        if delivery.from != self.hub {
            return Err(bad("the delivery is not from the hub".into()));
        }
        let d = delivery.body;
        let inner: Envelope<Answer> = open_envelope(&self.trust, &d.answer, &self.id, now_secs())
            .map_err(|e| bad(format!("the provider's answer: {e}")))?;
        if inner.from != r.provider || inner.body.query() != &id {
            return Err(bad("the answer is not from the asked provider about this query".into()));
        }
        let (outcome, version, data) = match inner.body {
            Answer::NotHeld { .. } => (myna_link::Outcome::NotHeld, None, None),
            Answer::Provided { version: held, sealed, .. } => {
                let aad = payload_aad(&id, &self.id, &r.provider, &r.task, r.item);
                let plain = self.seal.open(&sealed, &aad).map_err(|e| bad(e.to_string()))?;
                let value: serde_json::Value =
                    serde_json::from_slice(&plain).map_err(|e| bad(format!("the payload: {e}")))?;
                self.layouts.compatible(r.item, version, held).map_err(|e| bad(e.to_string()))?;
                self.layouts.validate(r.item, held, &value).map_err(|e| bad(e.to_string()))?;
                (myna_link::Outcome::Delivered, Some(held), Some(value))
            }
        };
        row.outcome = outcome.as_str().into();
        row.record = Some(d.record);
        self.store.record(&row).await?;
        Ok(QueryResult { outcome, record: d.record, entry: d.entry, provider: r.provider.clone(), version, data })
    }
}

#[derive(Deserialize, IntoParams)]
pub struct Limit {
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ExchangeView {
    pub message: String,
    pub role: String,
    pub peer: String,
    pub task: String,
    pub item: String,
    pub outcome: String,
    pub record: Option<u64>,
    pub at: i64,
}

/// The agency's own record of what it asked and answered, newest first.
#[utoipa::path(get, path = "/v1/exchanges", params(Limit), responses((status = 200, body = Vec<ExchangeView>)))]
async fn exchanges(State(a): S, Q(l): Q<Limit>) -> Result<Json<Vec<ExchangeView>>, ApiError> {
    let rows = a.store.exchanges(l.limit.unwrap_or(100).min(1000)).await?;
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
            })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna agency node (中間サーバー)",
        description = "An agency's node: the hub's forwards (signed JWS, answered sealed to the requester), and the clerk API (bearer token): enrol a person through J-LIS, register copies checked against the data standard layout, run a query, read the agency's own exchange record. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(super::provide::provide, enrol, put_copy, query, super::notice::send, super::notice::push, exchanges),
    components(schemas(
        EnrolRequest,
        Enrolled,
        CopyRequest,
        QueryRequest,
        QueryResult,
        ExchangeView,
        super::notice::NoticeSend,
        super::notice::NoticeSent,
        super::notice::PushSend,
        super::notice::PushSent
    ))
)]
struct Doc;

pub fn openapi_json() -> String {
    Doc::openapi().to_pretty_json().unwrap_or_default()
}
