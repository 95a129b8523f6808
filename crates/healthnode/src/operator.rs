//! The operator's API: registering facilities (each gets a key, shown once) and loading a
//! month's claims file (medication, checkups, expenses) matched to people by their card
//! fields and the day of care.

use std::{collections::HashMap, sync::Arc};

use crate::store::{FacilityRow, HealthStore, RecordRow};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use myna_health::{Claim, Eligibility, Standing, parse_claims};
use myna_node::{ApiError, ApiJson, HeaderCheck, check_caller, now_secs};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{Health, HealthError};

/// Claims files are large; 256 MiB per request (a month for a big insurer is loaded with
/// `myna health load-claims` instead, which has no limit).
const CLAIMS_LIMIT: usize = 256 * 1024 * 1024;

/// A claims file may take this long to arrive (10 minutes; other bodies have 30 s).
const CLAIMS_TIME: std::time::Duration = std::time::Duration::from_secs(600);

/// One claims file loads at a time, so what uploads hold in memory is one file's parsed claims.
static LOADING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

pub fn routes(h: Arc<Health>) -> Router {
    let claims_route = Router::new()
        .route("/v1/claims", post(claims))
        .layer(axum::middleware::from_fn(one_upload))
        .layer(axum::middleware::from_fn(slow_body));
    Router::new()
        .route("/v1/facilities", post(add_facility))
        .merge(claims_route)
        .route("/v1/reminders", post(reminders))
        // The operator is checked before any body is read: an unauthenticated upload is
        // refused at its headers and costs the node no memory.
        .route_layer(axum::middleware::from_fn_with_state((h.clone(), operator as HeaderCheck<_>), check_caller))
        .with_state(h)
}

async fn slow_body(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    myna_node::allow_slow_body(CLAIMS_TIME, req, next).await
}

async fn one_upload(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    match LOADING.try_acquire() {
        Ok(_permit) => next.run(req).await,
        Err(_) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "another claims file is being loaded; send this one when it is done",
        )
        .into_response(),
    }
}

fn operator(h: &Arc<Health>, headers: &HeaderMap) -> Result<(), ApiError> {
    match myna_node::bearer(headers) {
        Some(t) if h.operator_ok(t) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "operator",
            "send Authorization: Bearer <operator token> (printed when the node starts)",
        )),
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityNew {
    /// 医療機関コード: 10 digits (都道府県 2, 点数表 1: 1 医科, 3 歯科, 4 調剤, then 7).
    pub code: String,
    pub name: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct FacilityKey {
    pub code: String,
    pub kind: String,
    /// Shown once; the node keeps only its hash. Send `Bearer <code>:<key>`.
    pub key: String,
}

impl Health {
    /// Registers (or re-keys) a facility; the key is returned once.
    pub async fn add_facility(&self, f: &FacilityNew) -> Result<FacilityKey, HealthError> {
        let code = f.code.trim();
        if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HealthError::invalid(
                "code",
                "a facility code is 10 digits: prefecture 2, table 1 (1 medical, 3 dental, 4 pharmacy), then 7",
            ));
        }
        let kind = match &code[2..3] {
            "1" => "medical",
            "3" => "dental",
            "4" => "pharmacy",
            _ => {
                return Err(HealthError::invalid(
                    "code",
                    "the third digit (点数表) is 1 medical, 3 dental or 4 pharmacy",
                ));
            }
        };
        let name = f.name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(HealthError::invalid("name", "a name of 1–80 characters on one line"));
        }
        let mut k = [0u8; 32];
        aws_lc_rs::rand::fill(&mut k).map_err(|_| HealthError::internal("no random source"))?;
        let key = hex::encode(k);
        let row = FacilityRow {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            key_hash: hex::encode(Sha256::digest(key.as_bytes())),
        };
        self.store.add_facility(&row, now_secs()).await?;
        if let Ok(mut all) = self.facilities.write() {
            all.insert(row.code.clone(), row);
        }
        Ok(FacilityKey { code: code.into(), kind: kind.into(), key })
    }
}

/// Registers a facility and returns its key (once).
#[utoipa::path(post, path = "/v1/facilities", request_body = FacilityNew, responses((status = 200, body = FacilityKey), (status = 400, description = "malformed JSON"), (status = 415, description = "not sent as application/json"),
    (status = 401, description = "not the operator"), (status = 422, description = "bad code or name")), security(("operator" = [])))]
async fn add_facility(
    State(h): State<Arc<Health>>,
    ApiJson(f): ApiJson<FacilityNew>,
) -> Result<Json<FacilityKey>, ApiError> {
    Ok(Json(h.add_facility(&f).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Debug, Clone)]
pub struct ClaimsLoaded {
    pub lines: usize,
    /// Records stored now (a file loaded again adds none).
    pub added: u64,
    /// Lines whose card fields matched no eligibility covering the day (返戻): first 50.
    pub unmatched: Vec<u64>,
    pub unmatched_count: usize,
}

/// Loads a claims file into `store`: every line checked first (a bad file is refused whole,
/// with each bad line), then matched to people and stored in one transaction.
pub async fn load_claims(store: &HealthStore, text: &str) -> Result<ClaimsLoaded, HealthError> {
    let source = hex::encode(&Sha256::digest(text.as_bytes())[..12]);
    load_parsed(store, crate::upload::Received { claims: parse_claims(text), source }).await
}

async fn load_parsed(store: &HealthStore, received: crate::upload::Received) -> Result<ClaimsLoaded, HealthError> {
    let source = received.source;
    let claims = received.claims.map_err(|errs| {
        let list: Vec<String> = errs.iter().map(ToString::to_string).collect();
        HealthError::invalid("claims", format!("nothing was loaded; fix these lines: {}", list.join("; ")))
    })?;
    let mut cards: Vec<String> = claims.lines.iter().map(|l| l.card.clone()).collect();
    cards.sort();
    cards.dedup();
    let mut by_card: HashMap<String, Vec<(String, Eligibility)>> = HashMap::new();
    for row in store.card_index(&cards).await? {
        if let Ok(e) = serde_json::from_str::<Eligibility>(&row.record) {
            by_card.entry(row.card.clone()).or_default().push((row.code, e));
        }
    }
    let mut rows = Vec::with_capacity(claims.lines.len());
    let mut unmatched = Vec::new();
    let mut unmatched_count = 0;
    for l in &claims.lines {
        let who = by_card.get(&l.card).and_then(|v| v.iter().find(|(_, e)| e.standing_on(l.on) == Standing::Current));
        let Some((code, _)) = who else {
            unmatched_count += 1;
            if unmatched.len() < 50 {
                unmatched.push(l.line);
            }
            continue;
        };
        let (kind, day, body) = match &l.record {
            Claim::Medication(m) => ("medication", m.dispensed_on.to_string(), serde_json::to_string(m)),
            Claim::Checkup(c) => ("checkup", c.on.to_string(), serde_json::to_string(c)),
            Claim::Expense(e) => ("expense", e.month.clone(), serde_json::to_string(e)),
        };
        rows.push(RecordRow {
            code: code.clone(),
            kind: kind.into(),
            day,
            body: body.map_err(HealthError::internal)?,
            source: source.clone(),
            line: l.line as i64,
        });
    }
    let added = store.add_records(&rows).await?;
    Ok(ClaimsLoaded { lines: claims.lines.len(), added, unmatched, unmatched_count })
}

/// Loads a claims file (CSV; the format is in `myna_health::claims`).
#[utoipa::path(post, path = "/v1/claims", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ClaimsLoaded), (status = 400, description = "the upload broke off"), (status = 401, description = "not the operator"), (status = 413, description = "over 256 MiB"), (status = 422, description = "bad lines, each with its reason; nothing loaded")),
    security(("operator" = [])))]
async fn claims(State(h): State<Arc<Health>>, body: axum::body::Body) -> Result<Json<ClaimsLoaded>, ApiError> {
    let received = crate::upload::receive(body, CLAIMS_LIMIT).await?;
    Ok(Json(load_parsed(&h.store, received).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RemindersSent {
    pub sent: usize,
}

/// Sends today's vaccination reminders now (they are also sent once a day).
#[utoipa::path(post, path = "/v1/reminders", responses((status = 200, body = RemindersSent), (status = 401, description = "not the operator"), (status = 502, description = "the hub or the portal failed")),
    security(("operator" = [])))]
async fn reminders(State(h): State<Arc<Health>>) -> Result<Json<RemindersSent>, ApiError> {
    Ok(Json(RemindersSent { sent: h.send_reminders(myna_node::today_jst()).await? }))
}
