//! Queries without the card: 一括照会 for the patients booked for a day, and one patient by
//! the fields printed on their insurance card (保険者番号・記号・番号・枝番). Eligibility only:
//! medical information needs the card and the patient's consent.

use std::sync::Arc;

use axum::{Json, Router, extract::State, routing::post};
use myna_health::{Branch, InsurerNumber, card_key, decisive};
use myna_node::{ApiError, ApiJson, today_jst};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::{
    Health, HealthError,
    reception::{eligibility_view, parse_records},
};

/// At most this many patients per batch.
const BATCH: usize = 1_000;

pub fn routes(h: Arc<Health>) -> Router {
    Router::new()
        .route("/v1/eligibility/lookup", post(lookup))
        .route("/v1/eligibility/batch", post(batch))
        // The facility's key is checked before a request's body is read.
        .route_layer(axum::middleware::from_fn_with_state(
            (h.clone(), crate::reception::facility_caller as myna_node::HeaderCheck<_>),
            myna_node::check_caller,
        ))
        .with_state(h)
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct CardFields {
    pub insurer: String,
    #[serde(default)]
    pub symbol: String,
    pub number: String,
    pub branch: String,
    /// The day to check (default today, in Japan).
    #[serde(default)]
    pub on: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Batch {
    pub patients: Vec<CardFields>,
}

impl Health {
    /// One patient's eligibility by card fields; a reason instead when the fields are bad or
    /// nothing matches.
    pub async fn lookup(&self, c: &CardFields) -> Result<Value, HealthError> {
        let fields = |e: &dyn std::fmt::Display| HealthError::invalid("card_fields", e);
        let insurer = InsurerNumber::parse(&c.insurer).map_err(|e| fields(&e))?;
        let branch = Branch::parse(&c.branch).map_err(|e| fields(&e))?;
        let day = match &c.on {
            Some(d) => myna_health::parse_date(d).map_err(|e| fields(&e))?,
            None => today_jst(),
        };
        let rows = self.store.by_card(&card_key(&insurer, &c.symbol, &c.number, branch)).await?;
        let records = parse_records(&rows);
        let e = decisive(&records, day)
            .ok_or_else(|| HealthError::not_found("no eligibility is registered under these card fields"))?;
        let standing = e.standing_on(day);
        Ok(json!({
            "found": true, "standing": standing, "explain_ja": standing.explain_ja(), "explain_en": standing.explain_en(),
            "eligibility": eligibility_view(e, false),
        }))
    }
}

/// One patient by the fields on their insurance card.
#[utoipa::path(post, path = "/v1/eligibility/lookup", request_body = CardFields,
    responses((status = 200, description = "standing and eligibility"), (status = 400, description = "malformed JSON"), (status = 415, description = "not sent as application/json"), (status = 401, description = "facility unknown"),
        (status = 404, description = "nothing registered under these fields"), (status = 422, description = "a field is missing or malformed (the reason says which)")),
    security(("facility" = [])))]
async fn lookup(State(h): State<Arc<Health>>, ApiJson(c): ApiJson<CardFields>) -> Result<Json<Value>, ApiError> {
    Ok(Json(h.lookup(&c).await?))
}

/// 一括照会: every booked patient in one request; each answer stands alone (a bad line does
/// not fail the others).
#[utoipa::path(post, path = "/v1/eligibility/batch", request_body = Batch,
    responses((status = 200, description = "one answer per patient, in order"), (status = 400, description = "malformed JSON"), (status = 415, description = "not sent as application/json"), (status = 401, description = "facility unknown"),
        (status = 413, description = "more than 1,000 patients"), (status = 422, description = "a field is missing or of the wrong type")),
    security(("facility" = [])))]
async fn batch(State(h): State<Arc<Health>>, ApiJson(b): ApiJson<Batch>) -> Result<Json<Value>, ApiError> {
    if b.patients.len() > BATCH {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("at most {BATCH} patients per batch; split the list"),
        ));
    }
    let mut out = Vec::with_capacity(b.patients.len());
    for (i, c) in b.patients.iter().enumerate() {
        let v = match h.lookup(c).await {
            Ok(mut v) => {
                v["index"] = json!(i);
                v
            }
            Err(e) => json!({"index": i, "found": false, "reason": e.to_string()}),
        };
        out.push(v);
    }
    Ok(Json(json!({ "results": out })))
}
