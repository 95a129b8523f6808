//! Reception at a facility (オンライン資格確認): the facility's terminal asks for a challenge,
//! the patient's card signs it (after the PIN, or after the reader's face match), and the
//! terminal sends the signature with the patient's consent choices. The answer is the
//! eligibility on the day — or why there is none — and a reception id that opens only what
//! was consented, at this facility, for a day. Every check that proved the card is logged with
//! its certificate before the answer.

use std::sync::Arc;

use crate::store::{CheckRow, EligibilityRow, FacilityRow};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use myna_health::{Consent, Eligibility, IdentityCheck, Scope, Standing, age_on, decisive};
use myna_link::Enrolment;
use myna_node::{ApiError, ApiJson, now_secs, today_jst};
use myna_pki::login::{ChallengeBook, LoginError, LoginResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::{Health, HealthError, Refusal};

/// A challenge lives 5 minutes: the patient stands at the reader while it is used.
const CHALLENGE_SECS: i64 = 300;
/// Certificates kept after their issuer's signature was checked (about 2 KB each).
const SEEN_CERTS: usize = 100_000;
/// Consented information can be opened for a day after reception.
const CONSENT_SECS: i64 = 24 * 3600;

pub fn routes(h: Arc<Health>) -> Router {
    Router::new()
        .route("/v1/reception/challenge", post(challenge))
        .route("/v1/reception", post(reception))
        .route("/v1/receptions/{id}/{scope}", get(consented))
        // The facility's key is checked before a request's body is read.
        .route_layer(axum::middleware::from_fn_with_state(
            (h.clone(), facility_caller as myna_node::HeaderCheck<_>),
            myna_node::check_caller,
        ))
        .with_state(h)
}

pub(crate) fn facility_caller(h: &Arc<Health>, headers: &HeaderMap) -> Result<(), ApiError> {
    facility(h, headers).map(|_| ())
}

pub(crate) fn facility(h: &Health, headers: &HeaderMap) -> Result<FacilityRow, ApiError> {
    let token = myna_node::bearer(headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "facility_key",
            "send Authorization: Bearer <facility code>:<facility key>",
        )
    })?;
    h.facility(token).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "facility_unknown",
            "this facility code is not registered, or the key is not its key",
        )
    })
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ChallengeView {
    /// The text the card signs (SHA-256 of it, with the user-authentication key).
    pub challenge: String,
    pub expires: i64,
}

/// A one-time challenge for this facility's reader.
#[utoipa::path(post, path = "/v1/reception/challenge", responses((status = 200, body = ChallengeView), (status = 401, description = "facility not registered or wrong key"), (status = 503, description = "too many outstanding")),
    security(("facility" = [])))]
async fn challenge(State(h): State<Arc<Health>>, headers: HeaderMap) -> Result<Json<ChallengeView>, ApiError> {
    let f = facility(&h, &headers)?;
    Ok(Json(h.issue_challenge(&f.code)?))
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct ReceptionRequest {
    /// The challenge, as issued.
    pub challenge: String,
    /// The user-authentication certificate (DER, base64).
    pub certificate: String,
    /// The card's signature over the challenge (base64).
    pub signature: String,
    /// How the holder was checked before the card signed.
    #[schema(value_type = String, example = "pin")]
    pub method: IdentityCheck,
    /// The patient's choices at the reader.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub consent: Consent,
    /// Register the card for insurance use now, if it is not yet (利用登録 at the reader).
    #[serde(default)]
    pub register: bool,
}

/// The answer at the counter.
#[derive(Serialize, Deserialize, ToSchema, Debug, Clone)]
pub struct ReceptionAnswer {
    /// Opens the consented information at this facility for a day.
    pub reception: String,
    /// confirmed, or not_current (ended or not yet started: `standing` says which).
    pub outcome: String,
    #[schema(value_type = Object)]
    pub standing: Value,
    /// In the page's words, Japanese and English.
    pub explain_ja: String,
    pub explain_en: String,
    /// Eligibility fields; the high-cost-care limit only when consented.
    #[schema(value_type = Object)]
    pub eligibility: Value,
    pub age: i32,
    pub consented: Vec<String>,
    /// Checkups are not offered under 40.
    pub not_offered: Vec<String>,
    /// Current medical subsidy certificates (PMH), which the counter needs to bill.
    #[schema(value_type = Vec<Object>)]
    pub subsidies: Vec<Value>,
}

/// Reception with the card: signature, certificate, registration, eligibility, consent, log.
#[utoipa::path(post, path = "/v1/reception", request_body = ReceptionRequest,
    responses((status = 200, body = ReceptionAnswer, description = "eligibility on the day (confirmed or not_current)"),
        (status = 400, description = "malformed JSON"), (status = 415, description = "not sent as application/json"), (status = 422, description = "a field is missing or of the wrong type"),
        (status = 401, description = "facility unknown; or the signature, certificate or challenge is not good (the reason says which)"),
        (status = 403, description = "the card is revoked or suspended"),
        (status = 404, description = "the card is not registered for insurance use, or no eligibility is registered"),
        (status = 409, description = "the challenge was already used (replay) or expired"),
        (status = 502, description = "registration at the reader: J-LIS or the hub could not give the node's code"),
        (status = 503, description = "the revocation list is not available")),
    security(("facility" = [])))]
async fn reception(
    State(h): State<Arc<Health>>,
    headers: HeaderMap,
    ApiJson(r): ApiJson<ReceptionRequest>,
) -> Result<Json<ReceptionAnswer>, ApiError> {
    let f = facility(&h, &headers)?;
    Ok(Json(h.receive(&f, &r).await?))
}

/// A reception id: the time in milliseconds (so ids sort by time and the log's index on them
/// grows at its end), then 80 random bits (so an id cannot be guessed; it opens consented
/// information only together with the facility's own key).
fn reception_id(now_ms: i64) -> Result<String, HealthError> {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&now_ms.to_be_bytes()[2..]);
    aws_lc_rs::rand::fill(&mut b[6..]).map_err(|_| HealthError::internal("no random source"))?;
    Ok(hex::encode(b))
}

/// The fields a counter sees; the limit category only with consent.
pub(crate) fn eligibility_view(e: &Eligibility, with_limit: bool) -> Value {
    let mut v = json!({
        "insurer": e.insurer, "scheme": e.insurer.scheme_ja(), "symbol": e.symbol, "number": e.number, "branch": e.branch,
        "name": e.name, "kana": e.kana, "birth": e.birth.to_string(), "copay_percent": e.copay_percent,
        "valid_from": e.valid_from.to_string(), "valid_to": e.valid_to.map(|d| d.to_string()),
    });
    if with_limit {
        v["limit"] = json!(e.limit);
        v["limit_monthly"] = json!(e.limit.monthly_limit_ja());
    }
    v
}

pub(crate) fn parse_records(rows: &[EligibilityRow]) -> Vec<Eligibility> {
    rows.iter().filter_map(|r| serde_json::from_str(&r.record).ok()).collect()
}

impl Health {
    pub fn issue_challenge(&self, facility: &str) -> Result<ChallengeView, HealthError> {
        let mut nonce = [0u8; 16];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| HealthError::internal("no random source"))?;
        let mut books = self.books.lock().map_err(|_| HealthError::internal("challenge book poisoned"))?;
        let book = books
            .entry(facility.to_string())
            .or_insert_with(|| ChallengeBook::new(&format!("health:{facility}"), CHALLENGE_SECS, 100_000));
        let c = book.issue(nonce, now_secs()).map_err(|e| HealthError::refused(Refusal::Busy, "busy", e))?;
        Ok(ChallengeView { challenge: c.text(), expires: c.expires })
    }

    /// The presented certificate, parsed and its issuer's signature verified — once per
    /// certificate: a card is presented many times, and a certificate's bytes never change.
    /// Validity, policy and revocation are checked at every use by `check_seen`.
    fn certificate(&self, resp: &LoginResponse) -> Result<Arc<myna_pki::CardCert>, HealthError> {
        let key: [u8; 32] = crate::sha(resp.certificate.as_bytes());
        if let Some(c) = self.seen.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        let cert = self.verifier.certificate(resp)?;
        self.verifier.trust().check_issued(&cert).map_err(LoginError::Certificate)?;
        let cert = Arc::new(cert);
        if let Ok(mut m) = self.seen.lock() {
            if m.len() >= SEEN_CERTS {
                m.clear();
            }
            m.insert(key, cert.clone());
        }
        Ok(cert)
    }

    pub async fn receive(&self, f: &FacilityRow, r: &ReceptionRequest) -> Result<ReceptionAnswer, HealthError> {
        let now = now_secs();
        let resp = LoginResponse {
            challenge: r.challenge.clone(),
            certificate: r.certificate.clone(),
            signature: r.signature.clone(),
        };
        let cert = self.certificate(&resp)?;
        let status = self.crl.status(cert.serial, now);
        {
            let mut books = self.books.lock().map_err(|_| HealthError::internal("challenge book poisoned"))?;
            let book = books.get_mut(&f.code).ok_or(LoginError::UnknownChallenge)?;
            self.verifier.check_seen(book, &resp, &cert, status, now)?;
        }
        let serial = cert.serial.to_string();
        let nonce = r.challenge.split(':').nth(1).map(str::to_string);
        let method = match r.method {
            IdentityCheck::Pin => "pin",
            IdentityCheck::Face => "face",
        };
        let reception = reception_id(myna_node::now_ms())?;
        let mut log = CheckRow {
            reception: reception.clone(),
            code: None,
            facility: f.code.clone(),
            at: now,
            method: method.into(),
            certificate: serial.clone(),
            scopes: String::new(),
            outcome: String::new(),
            reason: String::new(),
            nonce,
        };
        let found = match self.store.by_serial(&serial).await? {
            Some(found) => Some(found),
            None if r.register => {
                let code = self.agency.obtain_code(Enrolment::Certificate { user_auth_serial: serial.clone() }).await?;
                self.store.register_card(&serial, &code, "reception", now).await?;
                self.store.by_serial(&serial).await?
            }
            None => None,
        };
        let Some((code, rows, pmh)) = found else {
            log.outcome = "not_registered".into();
            log.reason = "card not registered for insurance use".into();
            self.log.write(log).await?;
            return Err(HealthError::not_found(
                "このカードは健康保険証として利用登録されていません。カードリーダーで利用登録するか、マイナポータルで登録してください。 / The card is not registered for health insurance use: register it at the reader or in Myna Portal.",
            ));
        };
        log.code = Some(code.clone());
        let today = today_jst();
        let records = parse_records(&rows);
        let Some(e) = decisive(&records, today) else {
            log.outcome = "no_eligibility".into();
            log.reason = "no insurer has registered eligibility".into();
            self.log.write(log).await?;
            return Err(HealthError::not_found(
                "資格情報が登録されていません（保険者からの登録待ち）。 / No insurer has registered eligibility for this person yet.",
            ));
        };
        let standing = e.standing_on(today);
        let age = age_on(e.birth, today);
        let consent = if standing == Standing::Current { r.consent.effective(age) } else { Consent::default() };
        let scopes: Vec<String> = consent.scopes().iter().map(|s| scope_id(*s).to_string()).collect();
        let not_offered = if age < myna_health::CHECKUP_AGE { vec!["checkups".to_string()] } else { Vec::new() };
        log.scopes = scopes.join(" ");
        log.outcome = if standing == Standing::Current { "confirmed" } else { "not_current" }.into();
        log.reason = standing.explain_en();
        self.log.write(log).await?;
        let subsidies = if standing == Standing::Current { subsidies(&pmh, today) } else { Vec::new() };
        Ok(ReceptionAnswer {
            reception,
            outcome: if standing == Standing::Current { "confirmed" } else { "not_current" }.into(),
            standing: serde_json::to_value(standing).map_err(HealthError::internal)?,
            explain_ja: standing.explain_ja(),
            explain_en: standing.explain_en(),
            eligibility: eligibility_view(e, consent.limit),
            age,
            consented: scopes,
            not_offered,
            subsidies,
        })
    }

    /// What a reception id opens for the facility that made it: one consented scope, or pmh.
    pub async fn open_consented(&self, f: &FacilityRow, id: &str, scope: &str) -> Result<Value, HealthError> {
        let refused = || {
            let reason = format!("the patient did not consent to share {scope} at this reception");
            HealthError::refused(Refusal::Forbidden, "not_consented", reason)
        };
        let row = self.store.reception(id).await?.ok_or_else(|| HealthError::not_found("no such reception"))?;
        if row.facility != f.code {
            let reason = "this reception was made at another facility";
            return Err(HealthError::refused(Refusal::Forbidden, "other_facility", reason));
        }
        if now_secs() - row.at > CONSENT_SECS {
            let reason = "consent given at reception lasts a day; check in again";
            return Err(HealthError::refused(Refusal::Gone, "consent_expired", reason));
        }
        let code = row.code.ok_or_else(refused)?;
        let kind = match scope {
            "medication" => "medication",
            "checkups" => "checkup",
            "treatment" => "expense",
            "pmh" => "pmh",
            "limit" => "limit",
            _ => {
                let reason = "scope is one of medication, checkups, treatment, limit, pmh";
                return Err(HealthError::refused(Refusal::BadRequest, "scope", reason));
            }
        };
        if scope != "pmh" && !row.scopes.split(' ').any(|s| s == scope) {
            return Err(refused());
        }
        if row.outcome != "confirmed" {
            return Err(refused());
        }
        if kind == "limit" {
            let records = parse_records(&self.store.eligibility_of(&code).await?);
            let e = decisive(&records, today_jst()).ok_or_else(|| HealthError::not_found("no eligibility"))?;
            return Ok(json!({"limit": e.limit, "limit_monthly": e.limit.monthly_limit_ja()}));
        }
        let rows = self.store.records_of(&code, kind, 500).await?;
        let items: Vec<Value> = rows.iter().filter_map(|b| serde_json::from_str(b).ok()).collect();
        Ok(json!({ "scope": scope, "items": items }))
    }
}

/// The medical subsidy certificates current on `today`, from the person's PMH records.
fn subsidies(pmh: &[String], today: time::Date) -> Vec<Value> {
    pmh.iter()
        .filter_map(|b| serde_json::from_str::<myna_health::PmhRecord>(b).ok())
        .filter(|r| matches!(r, myna_health::PmhRecord::Subsidy { .. }) && r.current_on(today))
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect()
}

pub(crate) fn scope_id(s: Scope) -> &'static str {
    match s {
        Scope::Checkups => "checkups",
        Scope::Medication => "medication",
        Scope::Treatment => "treatment",
        Scope::Limit => "limit",
    }
}

/// The consented information of a reception (medication, checkups, treatment, limit), or
/// the PMH records; 403 for what the patient did not consent to.
#[utoipa::path(get, path = "/v1/receptions/{id}/{scope}", params(("id" = String, Path), ("scope" = String, Path)),
    responses((status = 200, description = "the items"), (status = 400, description = "unknown scope"), (status = 401, description = "facility unknown"), (status = 403, description = "not consented, or another facility's reception"),
        (status = 404, description = "no such reception"), (status = 410, description = "consent expired")),
    security(("facility" = [])))]
async fn consented(
    State(h): State<Arc<Health>>,
    headers: HeaderMap,
    Path((id, scope)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let f = facility(&h, &headers)?;
    Ok(Json(h.open_consented(&f, &id, &scope).await?))
}
