//! The registry service (the core under `handlers.rs`): life events recorded durably and
//! idempotently, a record with its history and household, 4-item lookup and number
//! verification. Requests are parsed into the domain's types here; the rules live in
//! `myna-registry`.

use myna_node::today_jst as today;
use myna_number::IndividualNumber;
use myna_registry::{
    Address, BirthDate, EventKind, LifeEvent, LookupOutcome, LookupQuery, PersonName, Relationship, ResidentCode, Sex,
    parse_date,
};
use time::Date;

use crate::{JlisError, api::*, state::Jlis};

fn invalid(field: &'static str, e: impl std::fmt::Display) -> JlisError {
    JlisError::invalid(field, e)
}

fn code(s: &str) -> Result<ResidentCode, JlisError> {
    s.parse().map_err(|e| invalid("resident", e))
}

fn date(field: &'static str, s: &str) -> Result<Date, JlisError> {
    parse_date(s).map_err(|e| invalid(field, e))
}

fn name(n: &str, k: &str) -> Result<PersonName, JlisError> {
    PersonName::new(n, k).map_err(|e| invalid("name", e))
}

fn address(s: &str) -> Result<Address, JlisError> {
    Address::parse(s).map_err(|e| invalid("address", e))
}

fn sex(s: Option<&str>) -> Result<Option<Sex>, JlisError> {
    s.map(|v| Sex::parse(v).ok_or_else(|| invalid("sex", format!("{v:?} is neither male nor female")))).transpose()
}

fn relationship(s: Option<&str>, default: Relationship) -> Result<Relationship, JlisError> {
    match s {
        None => Ok(default),
        Some(v) => Relationship::parse(v).ok_or_else(|| {
            invalid("relationship", format!("{v:?} is not one of head, spouse, child, parent, grandchild, grandparent, sibling, childs_spouse, other"))
        }),
    }
}

/// Turns the request into a domain event and, for events on an existing record, its code.
fn to_event(req: &EventRequest, today: Date) -> Result<(Option<ResidentCode>, LifeEvent), JlisError> {
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

/// What recording an event did: the answer, and whether it was a retry of one already recorded.
pub struct Recorded {
    pub answer: EventRecorded,
    pub replayed: bool,
}

impl Jlis {
    /// Records a life event under the caller's idempotency key: a retry with the same key and
    /// body gets the first answer; the same key with another body is refused.
    pub async fn record_event(&self, key: Option<&str>, req: &EventRequest) -> Result<Recorded, JlisError> {
        let key = key.map(str::trim).filter(|k| !k.is_empty() && k.len() <= 200).ok_or(JlisError::NoIdempotencyKey)?;
        let today = today();
        let (target, event) = to_event(req, today)?;
        let fingerprint = serde_json::to_string(req).map_err(JlisError::internal)?;
        let rec = self.registry.record(target, &event, Some((key, &fingerprint)), today).await?;
        // Certificates follow the registry. This runs after the event committed, and again on
        // a retry of the same request (revoking twice changes nothing), so a crash in between
        // is repaired by the clerk's retry.
        self.after_event(rec.resident.code.value(), &event.kind).await?;
        Ok(Recorded {
            answer: EventRecorded {
                resident: ResidentView::of(&rec.resident, true),
                version: rec.version,
                replayed: rec.replayed,
            },
            replayed: rec.replayed,
        })
    }

    /// One resident's current record.
    pub async fn resident_record(&self, c: &str) -> Result<ResidentView, JlisError> {
        let c = code(c)?;
        let r = self
            .registry
            .resident(c)
            .await?
            .ok_or_else(|| JlisError::NotFound(format!("no resident with record code {c}")))?;
        Ok(ResidentView::of(&r, true))
    }

    /// Every version of a resident's record, oldest first.
    pub async fn resident_history(&self, c: &str) -> Result<Vec<HistoryEntry>, JlisError> {
        let c = code(c)?;
        let h = self.registry.history(c).await?;
        if h.is_empty() {
            return Err(JlisError::NotFound(format!("no resident with record code {c}")));
        }
        Ok(h.into_iter()
            .map(|e| HistoryEntry {
                version: e.version,
                kind: e.kind,
                effective_on: e.effective_on,
                recorded_at: e.recorded_at,
                detail: e.detail,
            })
            .collect())
    }

    /// A household's members living there, head first.
    pub async fn household(&self, id: &str) -> Result<Vec<ResidentView>, JlisError> {
        let id: u64 = id.parse().map_err(|_| invalid("household", format!("{id:?} is not a household number")))?;
        let m = self.registry.household_members(id).await?;
        if m.is_empty() {
            return Err(JlisError::NotFound(format!("no household {id}")));
        }
        Ok(m.iter().map(|r| ResidentView::of(r, true)).collect())
    }

    /// 4-item lookup (住基ネット照会): a unique match with its number, or several without.
    pub async fn lookup(&self, req: &LookupRequest) -> Result<LookupResponse, JlisError> {
        let q = query(req)?;
        Ok(match self.registry.lookup(&q).await? {
            LookupOutcome::NotFound => LookupResponse { outcome: "not_found".into(), matches: vec![] },
            LookupOutcome::Unique(m) => {
                LookupResponse { outcome: "unique".into(), matches: vec![ResidentView::of(&m.resident, true)] }
            }
            LookupOutcome::Ambiguous(v) => LookupResponse {
                outcome: "ambiguous".into(),
                matches: v.iter().map(|m| ResidentView::of(&m.resident, false)).collect(),
            },
        })
    }

    /// Whether a number belongs to the person the items describe.
    pub async fn verify(&self, req: &VerifyRequest) -> Result<VerifyResponse, JlisError> {
        let number: IndividualNumber = req.number.parse().map_err(|e| invalid("number", e))?;
        let q = query(&LookupRequest {
            name: req.name.clone(),
            birth: req.birth.clone(),
            sex: req.sex.clone(),
            address: req.address.clone(),
        })?;
        let no = |reason: &str| VerifyResponse { verified: false, reason: Some(reason.to_string()) };
        let Some(r) = self.registry.by_number(number).await? else {
            return Ok(no("no resident holds this number"));
        };
        Ok(match q.decide([r]) {
            LookupOutcome::Unique(m) if m.resident.number == number => VerifyResponse { verified: true, reason: None },
            _ => no("the number belongs to someone other than the person these items describe"),
        })
    }
}

fn query(req: &LookupRequest) -> Result<LookupQuery, JlisError> {
    LookupQuery::new(req.name.as_deref(), req.birth.as_deref(), req.sex.as_deref(), req.address.as_deref(), today())
        .map_err(|e| JlisError::LookupRefused(e.to_string()))
}
