//! The hub's HTTP API, the edge over [`Hub`]: each handler extracts, calls the core, signs
//! the answer. Bodies of the linkage protocol are compact JWS (`application/jose`); the log's
//! read API is plain JSON (heads are signed, proofs need no signature). Statuses for the
//! core's errors are given here, in one `From`.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Query as Q, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use myna_link::{Envelope, tiles::TilePath};
use myna_node::{
    ApiError,
    access::{Access, Peers, Table, rule},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi};

use super::{
    DirectoryEntry, HeadView, Hub, HubError, LogError, PersonRecords, PersonRequest, ProofView, RecordView, Registered,
    query::Handled, records::hexes,
};
use crate::edge::rejected;
use crate::wire::jose;

type S = State<Arc<Hub>>;

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::Store(e) => ApiError::store(e),
            HubError::Log(e) => e.into(),
            HubError::Envelope(e) => rejected(e),
            HubError::Invalid { field, reason } => ApiError::unprocessable(field, reason),
            HubError::Forbidden { code, reason } => ApiError::forbidden(code, reason),
            e @ HubError::NotRegistered(_) => ApiError::not_found(e.to_string()),
            e @ HubError::InProgress => ApiError::conflict("in_progress", e.to_string()),
            e @ (HubError::Setup(_) | HubError::Tls(_) | HubError::Internal(_)) => ApiError::internal(e),
        }
    }
}

impl From<LogError> for ApiError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::Store(e) => ApiError::store(e),
            LogError::NotWritten { condition: Some(c), .. } => ApiError::storage(c),
            LogError::Proof(p) => ApiError::unprocessable("proof", p.to_string()),
            e @ LogError::Expired(_) => ApiError::new(StatusCode::GONE, "expired", e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

/// Any member of the network: the directory and the log's public proofs (the TLS handshake
/// has already required a network certificate).
const MEMBER: Access =
    Access::Peers(Peers { who: "a member of the network", may: |_| true, example: "portal", not: "" });
const AGENCY: Access = Access::Peers(myna_node::access::AGENCY);
const PORTAL: Access = Access::Peers(myna_node::access::PORTAL);
/// Entry bundles carry each exchange's parties and the person's tag: only the log's monitor,
/// the Personal Information Protection Commission, reads them whole. Everyone else verifies
/// with hash tiles, which say nothing of anyone.
const MONITOR: Access = Access::Peers(Peers {
    who: "the log's monitor, the Personal Information Protection Commission (個人情報保護委員会)",
    may: |id| id.as_str() == "ppc",
    example: "ppc",
    not: "portal",
});

/// Who may call which hub route, by network certificate; the signed message in the body is
/// checked again by the core (its signer must be the sender the route expects).
pub const TABLE: Table = Table {
    node: "the hub",
    rules: &[
        rule("POST", "/v1/agencies", AGENCY),
        rule("GET", "/v1/agencies", MEMBER),
        rule("GET", "/v1/agencies/{id}", MEMBER),
        rule(
            "POST",
            "/v1/codes",
            Access::Peers(Peers { who: "J-LIS", may: |id| id.as_str() == "jlis", example: "jlis", not: "portal" }),
        ),
        rule(
            "POST",
            "/v1/codes/batch",
            Access::Peers(Peers { who: "J-LIS", may: |id| id.as_str() == "jlis", example: "jlis", not: "portal" }),
        ),
        rule("POST", "/v1/query", AGENCY),
        rule("POST", "/v1/notices", AGENCY),
        rule("POST", "/v1/corrections", AGENCY),
        rule("GET", "/v1/log/head", MEMBER),
        rule("GET", "/v1/log/consistency", MEMBER),
        rule("GET", "/v1/log/inclusion", MEMBER),
        rule("GET", "/v1/log/checkpoint", MEMBER),
        rule("GET", "/v1/log/vkey", MEMBER),
        rule("GET", "/v1/log/tile/{*path}", MEMBER),
        rule("GET", "/v1/log/tile/entries/{*path}", MONITOR),
        rule("POST", "/v1/log/person", PORTAL),
        rule("POST", "/v1/log/receipts", AGENCY),
    ],
};

pub fn routes(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/v1/agencies", post(register).get(list))
        .route("/v1/codes", post(codes))
        .route("/v1/codes/batch", post(codes_batch))
        .route("/v1/agencies/{id}", get(agency))
        .route("/v1/query", post(query))
        .route("/v1/notices", post(notify))
        .route("/v1/corrections", post(correct))
        .route("/v1/log/head", get(head))
        .route("/v1/log/consistency", get(consistency))
        .route("/v1/log/inclusion", get(inclusion))
        .route("/v1/log/checkpoint", get(checkpoint))
        .route("/v1/log/vkey", get(vkey))
        .route("/v1/log/tile/{*path}", get(tile))
        .route("/v1/log/tile/entries/{*path}", get(entries))
        .route("/v1/log/person", post(person))
        .route("/v1/log/receipts", post(receipts))
        .route_layer(axum::middleware::from_fn_with_state(TABLE, myna_node::access::authorize))
        .with_state(hub)
}

fn signed<T: Serialize>(hub: &Hub, env: &Envelope<T>) -> Result<Response, ApiError> {
    Ok(jose(hub.key.sign(env).map_err(ApiError::internal)?))
}

/// An agency's node registers where it is reached and its encryption key. Its id is its
/// certificate's; an id that names no agency kind is refused.
#[utoipa::path(post, path = "/v1/agencies", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<Registration>"),
    responses((status = 200, description = "JWS of Envelope<Registered>"), (status = 401, description = "unsigned, tampered, stale"), (status = 422, description = "unknown kind or bad key")))]
async fn register(State(hub): S, body: String) -> Result<Response, ApiError> {
    signed(&hub, &hub.register(&body).await?)
}

/// An agency re-linked a person after finding its link carried another resident's number
/// (マイナンバー情報総点検): the exchanges it made under the wrong link are marked in both
/// people's records, by a new entry each (nothing is rewritten).
#[utoipa::path(post, path = "/v1/corrections", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<LinkCorrection>"),
    responses((status = 200, description = "JWS of Envelope<CorrectionLogged>"), (status = 401, description = "unsigned, tampered, stale"),
        (status = 403, description = "a code that is not the sender's"), (status = 422, description = "the same person on both sides")))]
async fn correct(State(hub): S, body: String) -> Result<Response, ApiError> {
    signed(&hub, &hub.correct(&body).await?)
}

/// J-LIS asks for an agency's code for a person it knows by link id (符号取得). Only J-LIS.
#[utoipa::path(post, path = "/v1/codes", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<CodeRequest>, signed by J-LIS"),
    responses((status = 200, description = "JWS of Envelope<CodeIssued>"), (status = 403, description = "not J-LIS")))]
async fn codes(State(hub): S, body: String) -> Result<Response, ApiError> {
    signed(&hub, &hub.issue_code(&body)?)
}

/// J-LIS asks for an agency's codes for up to 1,000 people at once (bulk enrolment). Only J-LIS.
#[utoipa::path(post, path = "/v1/codes/batch", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<CodeRequestBatch>, signed by J-LIS"),
    responses((status = 200, description = "JWS of Envelope<CodesIssued>"), (status = 403, description = "not J-LIS"), (status = 422, description = "more than 1,000 in the batch")))]
async fn codes_batch(State(hub): S, body: String) -> Result<Response, ApiError> {
    signed(&hub, &hub.issue_codes(&body)?)
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
    match handled {
        Handled::Delivered(env) => signed(hub, &env),
        Handled::Refused { record, reason } => {
            Ok(ApiError::forbidden("refused", format!("{reason} (record {record})")).into_response())
        }
        Handled::Failed { record, reason } => {
            Ok(ApiError::bad_gateway("failed", format!("{reason} (record {record})")).into_response())
        }
    }
}

/// The directory: every registered agency with its name and key.
#[utoipa::path(get, path = "/v1/agencies", responses((status = 200, body = Vec<DirectoryEntry>)))]
async fn list(State(hub): S) -> Result<Json<Vec<DirectoryEntry>>, ApiError> {
    Ok(Json(hub.directory()?))
}

/// One agency's directory entry (its encryption key), for nodes that seal to it.
#[utoipa::path(get, path = "/v1/agencies/{id}", params(("id" = String, Path, description = "agency id, e.g. portal")),
    responses((status = 200, body = DirectoryEntry), (status = 404, description = "not registered")))]
async fn agency(State(hub): S, Path(id): Path<String>) -> Result<Json<DirectoryEntry>, ApiError> {
    Ok(Json(hub.directory_entry(&id)?))
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

/// A consistency proof between two tree sizes (RFC 9162 §2.1.4).
#[utoipa::path(get, path = "/v1/log/consistency", params(Sizes), responses((status = 200, body = ProofView), (status = 422, description = "sizes out of range")))]
async fn consistency(State(hub): S, Q(s): Q<Sizes>) -> Result<Json<ProofView>, ApiError> {
    let p = hub.log.consistency(s.from, s.to).await?;
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
    let p = hub.log.inclusion(a.index, a.size).await?;
    Ok(Json(ProofView { proof: hexes(p) }))
}

fn text(body: String, cache: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, cache)], body).into_response()
}

/// The latest checkpoint as a C2SP signed note (`tlog-checkpoint`), for any tile client.
#[utoipa::path(get, path = "/v1/log/checkpoint", responses((status = 200, content_type = "text/plain", description = "origin, size, base64 root hash, then the hub's Ed25519 note signature")))]
async fn checkpoint(State(hub): S) -> Result<Response, ApiError> {
    Ok(text(hub.log.head()?.checkpoint, "no-cache"))
}

/// The note verifier key of the checkpoints (`name+key id+base64 key`), served over the
/// connection authenticated by the hub's network certificate.
#[utoipa::path(get, path = "/v1/log/vkey", responses((status = 200, content_type = "text/plain", description = "the note verifier key")))]
async fn vkey(State(hub): S) -> Response {
    text(hub.log.vkey().to_string(), "public, max-age=86400")
}

fn tile_path(path: &str) -> Result<TilePath, ApiError> {
    TilePath::parse(path).map_err(|e| ApiError::not_found(e.to_string()))
}

fn bytes(body: Option<Vec<u8>>, cache: &'static str, what: &str) -> Result<Response, ApiError> {
    let body = body.ok_or_else(|| ApiError::not_found(format!("the log has no {what} yet")))?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream"), (header::CACHE_CONTROL, cache)], body).into_response())
}

/// A hash tile (C2SP `tlog-tiles`): `<L>/<N>[.p/<W>]`, N as `x001/x234/067`. Its bytes never
/// change, full or partial (the width is in the path), so caches may keep it for a year.
#[utoipa::path(get, path = "/v1/log/tile/{path}", params(("path" = String, Path, description = "e.g. 0/x001/234 or 1/000.p/17")),
    responses((status = 200, content_type = "application/octet-stream", description = "the tile's hashes, 32 bytes each"), (status = 404, description = "no such tile, or not a tile path")))]
async fn tile(State(hub): S, Path(path): Path<String>) -> Result<Response, ApiError> {
    let TilePath::Hashes(id) = tile_path(&path)? else {
        return Err(ApiError::not_found("entry bundles are under tile/entries/"));
    };
    bytes(hub.log.tile(id).await?, "public, max-age=31536000, immutable", "such tile")
}

/// An entry bundle (`tile/entries/<N>[.p/<W>]`): each entry's exact bytes, prefixed by its
/// length. Only for the monitor; never cached, as the retention period clears entries.
#[utoipa::path(get, path = "/v1/log/tile/entries/{path}", params(("path" = String, Path, description = "e.g. x001/234 or 000.p/17")),
    responses((status = 200, content_type = "application/octet-stream", description = "the bundle"), (status = 403, description = "not the monitor"),
        (status = 404, description = "no such bundle"), (status = 410, description = "an entry of it is past its retention period")))]
async fn entries(State(hub): S, Path(path): Path<String>) -> Result<Response, ApiError> {
    let TilePath::Hashes(id) = tile_path(&format!("0/{path}"))? else {
        return Err(ApiError::not_found("not an entry bundle path"));
    };
    bytes(hub.log.entries(id).await?, "no-store", "such bundle")
}

/// One resident's exchange records, newest first, each with its inclusion proof against the
/// current signed head. Only the portal asks, with its own code for the resident.
#[utoipa::path(post, path = "/v1/log/person", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<PersonRequest>, from the portal"),
    responses((status = 200, description = "JWS of Envelope<PersonRecords>"), (status = 403, description = "not the portal, or not its code")))]
async fn person(State(hub): S, body: String) -> Result<Response, ApiError> {
    signed(&hub, &hub.person(&body).await?)
}

/// A provider asks which of its answers the log holds (受領確認), to correct its own record
/// after the hub lost an exchange in flight (an answer not in the log never reached the
/// requester). Only the provider of a logged exchange is told of it.
#[utoipa::path(post, path = "/v1/log/receipts", request_body(content = String, content_type = "application/jose", description = "JWS of Envelope<ReceiptRequest>, from a provider"),
    responses((status = 200, description = "JWS of Envelope<Receipts>"), (status = 401, description = "unsigned, tampered, stale"), (status = 422, description = "more than 500 answers")))]
async fn receipts(State(hub): S, body: String) -> Result<Response, ApiError> {
    signed(&hub, &hub.receipts(&body).await?)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna hub (情報提供ネットワークシステム)",
        description = "Linkage between agencies: registration, agency codes for J-LIS, queries checked against the permission table and forwarded with the code translated, and the transparency log (signed tree heads, inclusion and consistency proofs, C2SP tlog-tiles: a signed-note checkpoint, hash tiles for any member, entry bundles for the monitor, a resident's records for the portal). Protocol bodies are compact JWS signed by the sending node; mutual TLS with the network CA. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(
        register,
        list,
        agency,
        codes,
        codes_batch,
        query,
        notify,
        correct,
        head,
        consistency,
        inclusion,
        checkpoint,
        vkey,
        tile,
        entries,
        person,
        receipts
    ),
    components(schemas(Registered, DirectoryEntry, HeadView, ProofView, PersonRequest, PersonRecords, RecordView))
)]
struct Doc;

pub fn openapi_json() -> String {
    TABLE.document(&Doc::openapi().to_json().unwrap_or_default())
}
