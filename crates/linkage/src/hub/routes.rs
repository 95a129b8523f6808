//! The hub's HTTP API. Bodies of the linkage protocol are compact JWS (`application/jose`);
//! the log's read API is plain JSON (heads are signed, proofs need no signature).

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Query as Q, State},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use myna_link::{
    AgencyCode, AgencyId, CodeIssued, CodeRequest, Entry, Envelope, Logged, Receipt, ReceiptRequest, Receipts,
    Registration, open_envelope,
};
use myna_node::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi};

use super::{
    AgencyRow, DirectoryEntry, HeadView, Hub, JLIS_ID, PersonRecords, PersonRequest, ProofView, RecordView, Registered,
    query::{Handled, status_of},
};
use crate::wire::{jose, now_secs, rejected};

type S = State<Arc<Hub>>;

pub fn routes(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/v1/agencies", post(register).get(list))
        .route("/v1/codes", post(codes))
        .route("/v1/agencies/{id}", get(agency))
        .route("/v1/query", post(query))
        .route("/v1/notices", post(notify))
        .route("/v1/log/head", get(head))
        .route("/v1/log/consistency", get(consistency))
        .route("/v1/log/inclusion", get(inclusion))
        .route("/v1/log/person", post(person))
        .route("/v1/log/receipts", post(receipts))
        .with_state(hub)
}

fn sign<T: Serialize>(hub: &Hub, to: &AgencyId, body: T) -> Result<Response, ApiError> {
    let env = Envelope::new(hub.id.clone(), to.clone(), now_secs(), body);
    Ok(jose(hub.key.sign(&env).map_err(ApiError::internal)?))
}

/// An agency's node registers where it is reached and its encryption key. Its id is its
/// certificate's; an id that names no agency kind is refused.
#[utoipa::path(post, path = "/v1/agencies", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<Registration>"),
    responses((status = 200, description = "JWS of Envelope<Registered>"), (status = 401, description = "unsigned, tampered, stale"), (status = 422, description = "unknown kind or bad key")))]
async fn register(State(hub): S, body: String) -> Result<Response, ApiError> {
    let env: Envelope<Registration> = open_envelope(&hub.trust, &body, &hub.id, now_secs()).map_err(rejected)?;
    let kind = env.from.kind().map_err(|e| ApiError::unprocessable("agency_kind", e.to_string()))?;
    myna_link::seal::check_public_key(&env.body.seal_key)
        .map_err(|e| ApiError::unprocessable("seal_key", e.to_string()))?;
    if !env.body.url.starts_with("https://") {
        return Err(ApiError::unprocessable("url", "an agency node is reached over https://"));
    }
    let row = AgencyRow {
        id: env.from.to_string(),
        url: env.body.url.trim_end_matches('/').into(),
        seal_key: env.body.seal_key,
        name: env.body.name,
    };
    hub.store.upsert_agency(&row, now_secs()).await?;
    if let Ok(mut d) = hub.directory.write() {
        d.insert(env.from.clone(), row);
    }
    tracing::info!(agency = %env.from, "registered");
    sign(&hub, &env.from, Registered { id: env.from.clone(), kind: kind.id().into() })
}

/// J-LIS asks for an agency's code for a person it knows by link id (符号取得). Only J-LIS.
#[utoipa::path(post, path = "/v1/codes", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<CodeRequest>, signed by J-LIS"),
    responses((status = 200, description = "JWS of Envelope<CodeIssued>"), (status = 403, description = "not J-LIS")))]
async fn codes(State(hub): S, body: String) -> Result<Response, ApiError> {
    let env: Envelope<CodeRequest> = open_envelope(&hub.trust, &body, &hub.id, now_secs()).map_err(rejected)?;
    if env.from.as_str() != JLIS_ID {
        return Err(ApiError::new(axum::http::StatusCode::FORBIDDEN, "not_jlis", "only J-LIS asks for agency codes"));
    }
    let code: AgencyCode = hub.code_for(&env.body.agency, env.body.link);
    sign(&hub, &env.from, CodeIssued { agency: env.body.agency, code })
}

/// A query (情報照会). Answers the provider's signed, sealed answer wrapped in the hub's
/// signed delivery, or a refusal or failure naming its record.
#[utoipa::path(post, path = "/v1/query", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<Query>"),
    responses((status = 200, description = "JWS of Envelope<Delivery>"), (status = 401, description = "unsigned, tampered, stale or replayed"),
        (status = 403, description = "refused: not permitted, or not the requester's code (recorded)"),
        (status = 409, description = "the same message id is being handled"), (status = 502, description = "the provider failed (recorded)")))]
async fn query(State(hub): S, body: String) -> Result<Response, ApiError> {
    answer(&hub, hub.query(&body).await?)
}

fn answer(hub: &Hub, handled: Handled) -> Result<Response, ApiError> {
    let status = status_of(&handled);
    match handled {
        Handled::Delivered(env) => Ok(jose(hub.key.sign(&env).map_err(ApiError::internal)?)),
        Handled::Refused { record, reason } => {
            Ok(ApiError::new(status, "refused", format!("{reason} (record {record})")).into_response())
        }
        Handled::Failed { record, reason } => {
            Ok(ApiError::new(status, "failed", format!("{reason} (record {record})")).into_response())
        }
    }
}

/// The directory: every registered agency with its name and key.
#[utoipa::path(get, path = "/v1/agencies", responses((status = 200, body = Vec<DirectoryEntry>)))]
async fn list(State(hub): S) -> Result<Json<Vec<DirectoryEntry>>, ApiError> {
    let d = hub.directory.read().map_err(|_| ApiError::internal("directory lock"))?;
    let mut v: Vec<DirectoryEntry> = d
        .iter()
        .map(|(id, a)| DirectoryEntry { id: id.clone(), name: a.name.clone(), seal_key: a.seal_key.clone() })
        .collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Json(v))
}

/// One agency's directory entry (its encryption key), for nodes that seal to it.
#[utoipa::path(get, path = "/v1/agencies/{id}", params(("id" = String, Path, description = "agency id, e.g. portal")),
    responses((status = 200, body = DirectoryEntry), (status = 404, description = "not registered")))]
async fn agency(State(hub): S, Path(id): Path<String>) -> Result<Json<DirectoryEntry>, ApiError> {
    let id: AgencyId = id.parse().map_err(|e: myna_link::CodeError| ApiError::unprocessable("id", e.to_string()))?;
    let a = hub.agency(&id).ok_or_else(|| ApiError::not_found(format!("{id} is not registered with the hub")))?;
    Ok(Json(DirectoryEntry { id, name: a.name, seal_key: a.seal_key }))
}

/// An agency's notice to a resident, for the portal (お知らせ): sealed to the portal, the
/// code translated, recorded in the log.
#[utoipa::path(post, path = "/v1/notices", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<NoticeRequest>"),
    responses((status = 200, description = "JWS of Envelope<Delivery> carrying the portal's signed NoticeAck"), (status = 401, description = "unsigned, tampered, stale"),
        (status = 403, description = "not the sender's code"), (status = 502, description = "the portal failed (recorded)")))]
async fn notify(State(hub): S, body: String) -> Result<Response, ApiError> {
    answer(&hub, hub.notify(&body).await?)
}

/// The latest signed tree head.
#[utoipa::path(get, path = "/v1/log/head", responses((status = 200, body = HeadView)))]
async fn head(State(hub): S) -> Result<Json<HeadView>, ApiError> {
    let h = hub.log.head()?;
    Ok(Json(HeadView { size: h.head.size, root: h.head.root, at: h.head.at, signed: h.jws }))
}

#[derive(Deserialize, IntoParams)]
pub struct Sizes {
    /// The earlier tree size.
    pub from: u64,
    /// The later tree size (at most the current).
    pub to: u64,
}

fn hexes(p: Vec<[u8; 32]>) -> Vec<String> {
    p.iter().map(hex::encode).collect()
}

/// A consistency proof between two tree sizes (RFC 9162 §2.1.4).
#[utoipa::path(get, path = "/v1/log/consistency", params(Sizes), responses((status = 200, body = ProofView), (status = 422, description = "sizes out of range")))]
async fn consistency(State(hub): S, Q(s): Q<Sizes>) -> Result<Json<ProofView>, ApiError> {
    let p = hub.log.with_tree(|t, _| Ok(t.consistency(s.from, s.to)?))?;
    Ok(Json(ProofView { proof: hexes(p) }))
}

#[derive(Deserialize, IntoParams)]
pub struct At {
    pub index: u64,
    pub size: u64,
}

/// An inclusion proof of entry `index` in the tree of `size` entries (RFC 9162 §2.1.3). The
/// entry itself is not served here: its parties hold it.
#[utoipa::path(get, path = "/v1/log/inclusion", params(At), responses((status = 200, body = ProofView), (status = 422, description = "out of range")))]
async fn inclusion(State(hub): S, Q(a): Q<At>) -> Result<Json<ProofView>, ApiError> {
    let p = hub.log.with_tree(|t, _| Ok(t.inclusion(a.index, a.size)?))?;
    Ok(Json(ProofView { proof: hexes(p) }))
}

/// One resident's exchange records, newest first, each with its inclusion proof against the
/// current signed head. Only the portal asks, with its own code for the resident.
#[utoipa::path(post, path = "/v1/log/person", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<PersonRequest>, from the portal"),
    responses((status = 200, description = "JWS of Envelope<PersonRecords>"), (status = 403, description = "not the portal, or not its code")))]
async fn person(State(hub): S, body: String) -> Result<Response, ApiError> {
    let env: Envelope<PersonRequest> = open_envelope(&hub.trust, &body, &hub.id, now_secs()).map_err(rejected)?;
    let forbidden = |m: String| ApiError::new(axum::http::StatusCode::FORBIDDEN, "refused", m);
    if env.from.kind().ok() != Some(myna_link::AgencyKind::Portal) {
        return Err(forbidden("only the portal lists a resident's records, for the resident".into()));
    }
    let link = hub.codes.resolve(&env.from, &env.body.code).map_err(|e| forbidden(e.to_string()))?;
    let rows = hub.store.of_subject(&hub.subject(link), 1000).await?;
    let out = hub.log.with_tree(|t, h| {
        let mut records = Vec::new();
        for r in rows.into_iter().filter(|r| r.index < h.head.size) {
            let Some(entry) = r.entry else { continue };
            records.push(RecordView { index: r.index, entry, proof: hexes(t.inclusion(r.index, h.head.size)?) });
        }
        Ok(PersonRecords { head: h.head.clone(), head_signed: h.jws.clone(), records })
    })?;
    sign(&hub, &env.from, out)
}

/// A provider asks which of its answers the log holds (受領確認), to correct its own record
/// after the hub lost an exchange in flight (an answer not in the log never reached the
/// requester). Only the provider of a logged exchange is told of it.
#[utoipa::path(post, path = "/v1/log/receipts", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<ReceiptRequest>, from a provider"),
    responses((status = 200, description = "JWS of Envelope<Receipts>"), (status = 401, description = "unsigned, tampered, stale"), (status = 422, description = "more than 500 answers")))]
async fn receipts(State(hub): S, body: String) -> Result<Response, ApiError> {
    let env: Envelope<ReceiptRequest> = open_envelope(&hub.trust, &body, &hub.id, now_secs()).map_err(rejected)?;
    if env.body.answers.len() > ReceiptRequest::MAX {
        return Err(ApiError::unprocessable(
            "too_many",
            format!("ask about at most {} answers at a time", ReceiptRequest::MAX),
        ));
    }
    let mut out = Vec::with_capacity(env.body.answers.len());
    for answer in env.body.answers {
        let row = hub.store.by_message(answer.requester.as_str(), answer.query.as_str()).await?;
        let logged = row.and_then(|r| {
            let entry: Entry = serde_json::from_str(r.entry.as_deref()?).ok()?;
            (entry.provider == env.from).then_some(Logged { index: r.index, outcome: entry.outcome })
        });
        out.push(Receipt { answer, logged });
    }
    sign(&hub, &env.from, Receipts { receipts: out })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna hub (情報提供ネットワークシステム)",
        description = "Linkage between agencies: registration, agency codes for J-LIS, queries checked against the permission table and forwarded with the code translated, and the transparency log (signed tree heads, inclusion and consistency proofs, a resident's records for the portal). Protocol bodies are compact JWS signed by the sending node; mutual TLS with the network CA. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(register, list, agency, codes, query, notify, head, consistency, inclusion, person, receipts),
    components(schemas(Registered, DirectoryEntry, HeadView, ProofView, PersonRequest, PersonRecords, RecordView))
)]
struct Doc;

pub fn openapi_json() -> String {
    Doc::openapi().to_pretty_json().unwrap_or_default()
}
