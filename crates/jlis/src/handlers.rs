//! Handlers: parse, call the store, map the answer. The rules live in `myna-registry`.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use myna_node::{ApiError, ApiJson};
use myna_number::IndividualNumber;
use myna_registry::{
    Address, BirthDate, EventKind, LifeEvent, LookupOutcome, LookupQuery, PersonName, Relationship, ResidentCode, Sex,
    parse_date,
};
use time::Date;

use crate::{api::*, state::Jlis};

type St = State<Arc<Jlis>>;

pub(crate) fn routes(store: Arc<Jlis>) -> Router {
    Router::new()
        .route("/v1/events", post(record_event))
        .route("/v1/residents/{code}", get(resident))
        .route("/v1/residents/{code}/history", get(history))
        .route("/v1/households/{id}", get(household))
        .route("/v1/lookup", post(lookup))
        .route("/v1/verify", post(verify))
        .route("/v1/linkage/codes", post(codes))
        .with_state(store)
}

use myna_node::today_jst as today;

fn invalid(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::unprocessable("invalid_field", format!("{field}: {e}"))
}

fn code(s: &str) -> Result<ResidentCode, ApiError> {
    s.parse().map_err(|e| invalid("resident", e))
}

fn date(field: &str, s: &str) -> Result<Date, ApiError> {
    parse_date(s).map_err(|e| invalid(field, e))
}

fn name(n: &str, k: &str) -> Result<PersonName, ApiError> {
    PersonName::new(n, k).map_err(|e| invalid("name", e))
}

fn address(s: &str) -> Result<Address, ApiError> {
    Address::parse(s).map_err(|e| invalid("address", e))
}

fn sex(s: Option<&str>) -> Result<Option<Sex>, ApiError> {
    s.map(|v| Sex::parse(v).ok_or_else(|| invalid("sex", format!("{v:?} is neither male nor female")))).transpose()
}

fn relationship(s: Option<&str>, default: Relationship) -> Result<Relationship, ApiError> {
    match s {
        None => Ok(default),
        Some(v) => Relationship::parse(v).ok_or_else(|| {
            invalid("relationship", format!("{v:?} is not one of head, spouse, child, parent, grandchild, grandparent, sibling, childs_spouse, other"))
        }),
    }
}

/// Turns the request into a domain event and, for events on an existing record, its code.
fn to_event(req: &EventRequest, today: Date) -> Result<(Option<ResidentCode>, LifeEvent), ApiError> {
    Ok(match req {
        EventRequest::Birth { on, name: n, kana, sex: s, address: a, household, relationship: r } => {
            let rel =
                relationship(r.as_deref(), if household.is_some() { Relationship::Child } else { Relationship::Head })?;
            let on = date("on", on)?;
            BirthDate::new(on, today).map_err(|e| invalid("on", e))?;
            (
                None,
                LifeEvent {
                    on,
                    kind: EventKind::Birth {
                        name: name(n, kana)?,
                        sex: sex(s.as_deref())?,
                        address: address(a)?,
                        household: *household,
                        relationship: rel,
                    },
                },
            )
        }
        EventRequest::FirstRegistration {
            on,
            name: n,
            kana,
            birth,
            sex: s,
            address: a,
            household,
            relationship: r,
        } => {
            let birth = BirthDate::parse(birth, today).map_err(|e| invalid("birth", e))?;
            let rel = relationship(r.as_deref(), Relationship::Head)?;
            let kind = EventKind::FirstRegistration {
                name: name(n, kana)?,
                birth,
                sex: sex(s.as_deref())?,
                address: address(a)?,
                household: *household,
                relationship: rel,
            };
            (None, LifeEvent { on: date("on", on)?, kind })
        }
        EventRequest::MoveIn { on, resident, address: a, household, relationship: r } => {
            let kind = EventKind::MoveIn {
                address: address(a)?,
                household: *household,
                relationship: relationship(r.as_deref(), Relationship::Head)?,
            };
            (Some(code(resident)?), LifeEvent { on: date("on", on)?, kind })
        }
        EventRequest::MoveOut { on, resident, to } => {
            if to.trim().is_empty() || to.chars().count() > 200 {
                return Err(invalid("to", "give the destination (1 to 200 characters)"));
            }
            (
                Some(code(resident)?),
                LifeEvent { on: date("on", on)?, kind: EventKind::MoveOut { to: to.trim().to_string() } },
            )
        }
        EventRequest::MoveWithin { on, resident, address: a } => (
            Some(code(resident)?),
            LifeEvent { on: date("on", on)?, kind: EventKind::MoveWithin { address: address(a)? } },
        ),
        EventRequest::NameChange { on, resident, name: n, kana } => (
            Some(code(resident)?),
            LifeEvent { on: date("on", on)?, kind: EventKind::NameChange { name: name(n, kana)? } },
        ),
        EventRequest::Death { on, resident } => {
            (Some(code(resident)?), LifeEvent { on: date("on", on)?, kind: EventKind::Death })
        }
    })
}

#[utoipa::path(post, path = "/v1/events", request_body = EventRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per request; a retry with the same key and body returns the first answer")),
    responses((status = 201, body = EventRecorded), (status = 200, description = "A retry: the first answer again", body = EventRecorded),
        (status = 400, description = "Malformed JSON, not UTF-8, or no Idempotency-Key", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn record_event(
    State(j): St,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EventRequest>,
) -> Result<(StatusCode, Json<EventRecorded>), ApiError> {
    let store = &j.registry;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| ApiError::bad_request("idempotency_key", "send an Idempotency-Key header (a unique string of up to 200 characters per request) so a retry cannot record the event twice"))?
        .to_string();
    let today = today();
    let (target, event) = to_event(&req, today)?;
    let fingerprint = serde_json::to_string(&req).map_err(ApiError::internal)?;
    let rec = store.record(target, &event, Some((&key, &fingerprint)), today).await?;
    // Certificates follow the registry. This runs after the event committed, and again on a
    // retry of the same request (revoking twice changes nothing), so a crash in between is
    // repaired by the clerk's retry.
    j.after_event(rec.resident.code.value(), &event.kind).await?;
    let status = if rec.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((
        status,
        Json(EventRecorded {
            resident: ResidentView::of(&rec.resident, true),
            version: rec.version,
            replayed: rec.replayed,
        }),
    ))
}

#[utoipa::path(get, path = "/v1/residents/{code}", params(("code" = String, Path, description = "住民票コード, 11 digits", pattern = "^[0-9]{11}$")),
    responses((status = 200, body = ResidentView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn resident(State(j): St, Path(c): Path<String>) -> Result<Json<ResidentView>, ApiError> {
    let store = &j.registry;
    let c = code(&c)?;
    let r = store
        .resident(c)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found(format!("no resident with record code {c}")))?;
    Ok(Json(ResidentView::of(&r, true)))
}

#[utoipa::path(get, path = "/v1/residents/{code}/history", params(("code" = String, Path, description = "住民票コード, 11 digits", pattern = "^[0-9]{11}$")),
    responses((status = 200, body = [HistoryEntry]), (status = 404, body = ErrorBody), (status = 422, description = "Not an 11-digit code", body = ErrorBody)))]
pub(crate) async fn history(State(j): St, Path(c): Path<String>) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let store = &j.registry;
    let c = code(&c)?;
    let h = store.history(c).await?;
    if h.is_empty() {
        return Err(ApiError::not_found(format!("no resident with record code {c}")));
    }
    Ok(Json(
        h.into_iter()
            .map(|e| HistoryEntry {
                version: e.version,
                kind: e.kind,
                effective_on: e.effective_on,
                recorded_at: e.recorded_at,
                detail: e.detail,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/v1/households/{id}", params(("id" = u64, Path)),
    responses((status = 200, description = "Members, head first", body = [ResidentView]), (status = 404, body = ErrorBody), (status = 422, description = "Not a household number", body = ErrorBody)))]
pub(crate) async fn household(State(j): St, Path(id): Path<String>) -> Result<Json<Vec<ResidentView>>, ApiError> {
    let store = &j.registry;
    let id: u64 = id.parse().map_err(|_| invalid("household", format!("{id:?} is not a household number")))?;
    let m = store.household_members(id).await?;
    if m.is_empty() {
        return Err(ApiError::not_found(format!("no household {id}")));
    }
    Ok(Json(m.iter().map(|r| ResidentView::of(r, true)).collect()))
}

fn query(req: &LookupRequest) -> Result<LookupQuery, ApiError> {
    LookupQuery::new(req.name.as_deref(), req.birth.as_deref(), req.sex.as_deref(), req.address.as_deref(), today())
        .map_err(|e| ApiError::unprocessable("lookup_refused", e.to_string()))
}

#[utoipa::path(post, path = "/v1/lookup", request_body = LookupRequest,
    responses((status = 200, body = LookupResponse), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 422, description = "Fewer than the required items, or an item that cannot be read", body = ErrorBody)))]
pub(crate) async fn lookup(
    State(j): St,
    ApiJson(req): ApiJson<LookupRequest>,
) -> Result<Json<LookupResponse>, ApiError> {
    let store = &j.registry;
    let q = query(&req)?;
    let out = store.lookup(&q).await?;
    Ok(Json(match out {
        LookupOutcome::NotFound => LookupResponse { outcome: "not_found".into(), matches: vec![] },
        LookupOutcome::Unique(m) => {
            LookupResponse { outcome: "unique".into(), matches: vec![ResidentView::of(&m.resident, true)] }
        }
        LookupOutcome::Ambiguous(v) => LookupResponse {
            outcome: "ambiguous".into(),
            matches: v.iter().map(|m| ResidentView::of(&m.resident, false)).collect(),
        },
    }))
}

#[utoipa::path(post, path = "/v1/verify", request_body = VerifyRequest,
    responses((status = 200, body = VerifyResponse), (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody), (status = 415, description = "Body not sent as application/json", body = ErrorBody), (status = 422, description = "A number or item that cannot be read", body = ErrorBody)))]
pub(crate) async fn verify(
    State(j): St,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> Result<Json<VerifyResponse>, ApiError> {
    let store = &j.registry;
    let number: IndividualNumber = req.number.parse().map_err(|e| invalid("number", e))?;
    let q = query(&LookupRequest { name: req.name, birth: req.birth, sex: req.sex, address: req.address })?;
    let no = |reason: &str| Json(VerifyResponse { verified: false, reason: Some(reason.to_string()) });
    let Some(r) = store.by_number(number).await? else {
        return Ok(no("no resident holds this number"));
    };
    Ok(match q.decide([r]) {
        LookupOutcome::Unique(m) if m.resident.number == number => {
            Json(VerifyResponse { verified: true, reason: None })
        }
        _ => no("the number belongs to someone other than the person these items describe"),
    })
}

/// An agency's request for its code for a person (符号取得, JWS of Envelope<Enrolment>).
#[utoipa::path(post, path = "/v1/linkage/codes", request_body(content = String, content_type = "text/plain", description = "compact JWS of Envelope<Enrolment>, from an agency node (sent as application/jose; any text type is read)"),
    responses((status = 200, description = "JWS of Envelope<CodeIssued>"), (status = 401, description = "unsigned or not from the network"),
        (status = 403, description = "the sender is not an agency"), (status = 404, description = "no resident with that number"),
        (status = 422, description = "not an individual number"), (status = 502, description = "the hub could not be reached or refused"),
        (status = 503, description = "J-LIS is not connected to a hub")))]
pub(crate) async fn codes(State(j): St, body: String) -> Result<axum::response::Response, ApiError> {
    Ok(myna_node::jose(j.issue_agency_code(&body).await?))
}
