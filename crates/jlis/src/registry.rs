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

use crate::{
    JlisError,
    access::{Caller, lookup_task},
    api::*,
    state::Jlis,
    store::Access,
};

pub(crate) fn invalid(field: &'static str, e: impl std::fmt::Display) -> JlisError {
    JlisError::invalid(field, e)
}

pub(crate) fn code(s: &str) -> Result<ResidentCode, JlisError> {
    s.parse().map_err(|e| invalid("resident", e))
}

pub(crate) fn date(field: &'static str, s: &str) -> Result<Date, JlisError> {
    parse_date(s).map_err(|e| invalid(field, e))
}

fn name(n: &str, k: &str) -> Result<PersonName, JlisError> {
    PersonName::new(n, k).map_err(|e| invalid("name", e))
}

fn address(s: &str) -> Result<Address, JlisError> {
    address_of("address", s)
}

pub(crate) fn address_of(field: &'static str, s: &str) -> Result<Address, JlisError> {
    Address::parse(s).map_err(|e| invalid(field, e))
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
        EventRequest::MoveOut { on, resident, to } => (
            Some(code(resident)?),
            LifeEvent { on: date("on", on)?, kind: EventKind::MoveOut { to: address_of("to", to)? } },
        ),
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

/// The municipality behind a caller, or why it may not act on the registry.
pub(crate) fn municipality(caller: &Caller) -> Result<myna_number::LocalGovCode, JlisError> {
    match caller {
        Caller::Municipality { code, .. } => Ok(*code),
        other => Err(JlisError::forbidden(
            "not_a_municipality",
            format!("{} is not a municipality; only a municipality keeps the register", other.id()),
        )),
    }
}

/// `Ok` if the caller keeps `r`'s register.
pub(crate) fn keeps(caller: &Caller, r: &myna_registry::Resident) -> Result<(), JlisError> {
    myna_registry::check_keeps(municipality(caller)?, &r.address)
        .map_err(|e| JlisError::Registry(crate::store::RegistryError::NotItsResident(e)))
}

impl Jlis {
    /// Records a life event under the caller's idempotency key: a retry with the same key and
    /// body gets the first answer; the same key with another body (or from another caller) is
    /// refused. Only the municipality that keeps the register may record it.
    pub async fn record_event(
        &self,
        caller: &Caller,
        key: Option<&str>,
        req: &EventRequest,
    ) -> Result<Recorded, JlisError> {
        let recorder = municipality(caller)?;
        let key = key.map(str::trim).filter(|k| !k.is_empty() && k.len() <= 200).ok_or(JlisError::NoIdempotencyKey)?;
        let today = today();
        let (target, event) = to_event(req, today)?;
        let body = serde_json::to_string(req).map_err(JlisError::internal)?;
        let fingerprint = format!("{}\n{body}", caller.id());
        let rec = self.registry.record_by(Some(recorder), target, &event, Some((key, &fingerprint)), today).await?;
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

    /// A resident's record as the registry holds it, for the municipality that keeps it.
    async fn own_resident(&self, caller: &Caller, c: ResidentCode) -> Result<myna_registry::Resident, JlisError> {
        let r = self
            .registry
            .resident(c)
            .await?
            .ok_or_else(|| JlisError::NotFound(format!("no resident with record code {c}")))?;
        keeps(caller, &r)?;
        Ok(r)
    }

    /// Records a read of residents' records in the access log before it is answered.
    pub(crate) async fn log_access(
        &self,
        caller: &Caller,
        residents: &[u64],
        action: &str,
        task: &str,
        case: &str,
    ) -> Result<(), JlisError> {
        let access = Access {
            at: myna_node::now_secs(),
            caller: caller.id().to_string(),
            action: action.into(),
            task: task.into(),
            case_ref: case.into(),
        };
        Ok(self.access.record(residents, access).await?)
    }

    /// One resident's current record, for the municipality that keeps it.
    pub async fn resident_record(&self, caller: &Caller, c: &str) -> Result<ResidentView, JlisError> {
        let r = self.own_resident(caller, code(c)?).await?;
        self.log_access(caller, &[r.code.value()], "record", "resident_registry", "").await?;
        Ok(ResidentView::of(&r, true))
    }

    /// Every version of a resident's record, oldest first, for the municipality that keeps it.
    pub async fn resident_history(&self, caller: &Caller, c: &str) -> Result<Vec<HistoryEntry>, JlisError> {
        let c = code(c)?;
        self.own_resident(caller, c).await?;
        let h = self.registry.history(c).await?;
        self.log_access(caller, &[c.value()], "history", "resident_registry", "").await?;
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

    /// A household's members living there, head first, for the municipality where it lives.
    pub async fn household(&self, caller: &Caller, id: &str) -> Result<Vec<ResidentView>, JlisError> {
        let id: u64 = id.parse().map_err(|_| invalid("household", format!("{id:?} is not a household number")))?;
        let m = self.registry.household_members(id).await?;
        let Some(head) = m.first() else {
            return Err(JlisError::NotFound(format!("no household {id}")));
        };
        keeps(caller, head)?;
        let codes: Vec<u64> = m.iter().map(|r| r.code.value()).collect();
        self.log_access(caller, &codes, "household", "resident_registry", "").await?;
        Ok(m.iter().map(|r| ResidentView::of(r, true)).collect())
    }

    /// The task and case a lookup or verification is for, checked: the task must be one the
    /// caller holds.
    pub(crate) fn purpose<'a>(
        &self,
        caller: &Caller,
        task: Option<&'a str>,
        case: Option<&'a str>,
    ) -> Result<(&'a str, &'a str), JlisError> {
        let task = task.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
            invalid("task", "say which task this is for (a task id of the permission table, e.g. pension_award)")
        })?;
        let case =
            case.map(str::trim).filter(|c| (1..=64).contains(&c.chars().count()) && !c.chars().any(char::is_control));
        let case = case.ok_or_else(|| invalid("case", "give the case or file reference, 1 to 64 characters"))?;
        let id: myna_link::TaskId = task.parse().map_err(|e| invalid("task", e))?;
        if !lookup_task(&self.tasks, caller, &id) {
            return Err(JlisError::forbidden(
                "task_not_held",
                format!("{} holds no task {task} that uses the registry's identity information", caller.id()),
            ));
        }
        Ok((task, case))
    }

    /// 4-item lookup (住基ネット照会): a unique match with its number, or several without;
    /// for a task the caller holds, recorded in the access log before it is answered.
    pub async fn lookup(&self, caller: &Caller, req: &LookupRequest) -> Result<LookupResponse, JlisError> {
        let (task, case) = self.purpose(caller, req.task.as_deref(), req.case.as_deref())?;
        let q = query(req)?;
        let outcome = self.registry.lookup(&q).await?;
        let seen: Vec<u64> = match &outcome {
            LookupOutcome::NotFound => vec![],
            LookupOutcome::Unique(m) => vec![m.resident.code.value()],
            LookupOutcome::Ambiguous(v) => v.iter().map(|m| m.resident.code.value()).collect(),
        };
        self.log_access(caller, &seen, "lookup", task, case).await?;
        Ok(match outcome {
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

    /// Whether a number belongs to the person the items describe; for a task the caller
    /// holds, recorded in the access log.
    pub async fn verify(&self, caller: &Caller, req: &VerifyRequest) -> Result<VerifyResponse, JlisError> {
        let (task, case) = self.purpose(caller, req.task.as_deref(), req.case.as_deref())?;
        let number: IndividualNumber = req.number.parse().map_err(|e| invalid("number", e))?;
        let q = query(&LookupRequest {
            name: req.name.clone(),
            birth: req.birth.clone(),
            sex: req.sex.clone(),
            address: req.address.clone(),
            task: None,
            case: None,
        })?;
        let no = |reason: &str| VerifyResponse { verified: false, reason: Some(reason.to_string()) };
        let Some(r) = self.registry.by_number(number).await? else {
            self.log_access(caller, &[], "verify", task, case).await?;
            return Ok(no("no resident holds this number"));
        };
        self.log_access(caller, &[r.code.value()], "verify", task, case).await?;
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
