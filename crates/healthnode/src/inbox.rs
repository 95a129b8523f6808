//! What the hub delivers to the health node: eligibility from insurers, PMH records from
//! municipalities, card registrations from the portal. Each names the person by this node's
//! own code (the hub translated the sender's), sealed so only this node opens it; each is
//! stored durably before the acknowledgement, and a resend stores nothing twice.

use std::sync::Arc;

use crate::store::{EligibilityRow, HealthStore, RecordRow};
use axum::{Router, extract::State, response::Response, routing::post};
use myna_health::{Change, Eligibility, PmhRecord, supersede};
use myna_link::{AgencyId, AgencyKind, PushKind};
use myna_node::{ApiError, jose, now_secs};
use serde::Deserialize;

use crate::{HealthError, Refusal};

/// What the hub's deliveries need: made before the health node, so the inbox depends on
/// nothing built after its linkage node starts.
#[derive(Clone)]
pub struct Inbox {
    pub agency: Arc<myna_linkage::agency::Agency>,
    pub store: HealthStore,
}

pub fn routes(inbox: Inbox) -> Router {
    Router::new()
        .route("/v1/inbox", post(route))
        .route_layer(axum::middleware::from_fn_with_state(myna_linkage::agency::HUB_ONLY, myna_node::only_peers))
        .with_state(inbox)
}

/// The portal's card registration: the user-authentication certificate the resident logged
/// in with, which from now on identifies them at a facility.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRegistration {
    pub user_auth_serial: String,
}

async fn route(State(inbox): State<Inbox>, body: String) -> Result<Response, ApiError> {
    Ok(jose(inbox.take_push(&body).await?))
}

impl Inbox {
    /// One push the hub forwards (JWS): opened, checked, stored durably; answers the signed
    /// acknowledgement (JWS).
    async fn take_push(&self, jws: &str) -> Result<String, HealthError> {
        let (env, plain) = self.agency.open_push(jws)?;
        let f = &env.body;
        let sender_kind = f.sender.kind().map_err(|e| HealthError::invalid("sender", e))?;
        f.kind
            .allowed(sender_kind, AgencyKind::Health)
            .map_err(|e| HealthError::refused(Refusal::Forbidden, "not_permitted", e))?;
        let code = f.code.to_string();
        let message = f.notice.to_string();
        match f.kind {
            PushKind::Eligibility => {
                let e: Eligibility =
                    serde_json::from_slice(&plain).map_err(|e| HealthError::invalid("eligibility", e))?;
                e.check().map_err(|e| HealthError::invalid("eligibility", e))?;
                check_insurer(&f.sender, sender_kind, &e)?;
                self.put_eligibility(&code, &e, &message).await?;
            }
            PushKind::Pmh => {
                let r: PmhRecord = serde_json::from_slice(&plain).map_err(|e| HealthError::invalid("pmh", e))?;
                r.check().map_err(|e| HealthError::invalid("pmh", e))?;
                let day = match &r {
                    PmhRecord::Subsidy { valid_from, .. } => *valid_from,
                    PmhRecord::Vaccination { on, .. } | PmhRecord::MaternalCheckup { on, .. } => *on,
                };
                let row = RecordRow {
                    code,
                    kind: "pmh".into(),
                    day: day.to_string(),
                    body: serde_json::to_string(&r).map_err(HealthError::internal)?,
                    source: message,
                    line: 0,
                };
                self.store.add_records(&[row]).await?;
            }
            PushKind::CardRegistration => {
                let r: CardRegistration =
                    serde_json::from_slice(&plain).map_err(|e| HealthError::invalid("card_registration", e))?;
                if r.user_auth_serial.is_empty()
                    || r.user_auth_serial.len() > 32
                    || !r.user_auth_serial.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err(HealthError::invalid("user_auth_serial", "a certificate serial in hex"));
                }
                self.store.register_card(&r.user_auth_serial.to_ascii_uppercase(), &code, "portal", now_secs()).await?;
            }
            PushKind::Notice
            | PushKind::BenefitReply
            | PushKind::AccountRegistration
            | PushKind::DepositRequest
            | PushKind::MoveOut
            | PushKind::MoveIn
            | PushKind::MoveWithin => {
                return Err(HealthError::invalid(
                    "kind",
                    "the health node keeps no notices, replies or account instructions; they go to the portal, the municipality and the account registry",
                ));
            }
        }
        Ok(self.agency.acknowledge(&env)?)
    }
}

/// An insurer registers only under its own insurer number (its node's id ends with it); a
/// municipality only for its national health insurance (a 6-digit number).
fn check_insurer(sender: &AgencyId, kind: AgencyKind, e: &Eligibility) -> Result<(), HealthError> {
    let own = sender.as_str().split_once(':').map(|(_, n)| n).unwrap_or_default();
    let ok = match kind {
        AgencyKind::HealthInsurer => own == e.insurer.as_str(),
        AgencyKind::Municipality => e.insurer.as_str().len() == 6,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        let reason = format!("{sender} may not register members of insurer {}", e.insurer);
        Err(HealthError::refused(Refusal::Forbidden, "not_your_insurer_number", reason))
    }
}

impl Inbox {
    /// Stores a record for `code`, ending or replacing earlier ones as the domain decides, in
    /// one transaction. Returns whether it was new (a resent message is not).
    pub async fn put_eligibility(&self, code: &str, e: &Eligibility, message: &str) -> Result<bool, HealthError> {
        let existing: Vec<(i64, Eligibility)> = self
            .store
            .eligibility_of(code)
            .await?
            .into_iter()
            .filter_map(|r| serde_json::from_str(&r.record).ok().map(|e| (r.id, e)))
            .collect();
        let mut ended = Vec::new();
        let mut replace = Vec::new();
        for c in supersede(e, &existing) {
            match c {
                Change::Replace(id) => replace.push(id),
                Change::End { id, record } => ended.push(row(code, id, &record)?),
            }
        }
        Ok(self.store.apply_eligibility(&row(code, 0, e)?, message, &ended, &replace, now_secs()).await?)
    }
}

pub(crate) fn row(code: &str, id: i64, e: &Eligibility) -> Result<EligibilityRow, HealthError> {
    Ok(EligibilityRow {
        id,
        code: code.to_string(),
        card: e.card_key(),
        insurer: e.insurer.to_string(),
        birth: e.birth.to_string(),
        record: serde_json::to_string(e).map_err(HealthError::internal)?,
        valid_from: e.valid_from.to_string(),
        valid_to: e.valid_to.map(|d| d.to_string()),
    })
}
