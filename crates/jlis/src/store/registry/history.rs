//! What an event row keeps, and the history read back from it.
//!
//! A change event keeps the values it set and the ones it replaced (`from`), as the register
//! itself keeps 前住所 and 旧氏名. A creating event keeps nothing: the record as first written
//! is the current record with every later event's `from` put back, newest first. That saves
//! a copy of each record in the events table (40 % of the bytes at national scale) and loses
//! nothing: every value the record ever held is in some row.

use myna_registry::{EventKind, Resident, ResidentCode, Sex};
use serde_json::{Map, Value, json};

use super::super::{RegistryError, rows};
use super::RegistryStore;

/// One stored life event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRecord {
    pub version: i64,
    pub kind: String,
    pub effective_on: String,
    pub recorded_at: String,
    pub detail: Value,
}

/// The stored detail of an event that creates a record (see the module's comment).
pub(crate) const CREATED_DETAIL: &str = "{}";

/// The record's fields as event details name them: a creating event shows all of them, a
/// change the ones it set (see [`fields_set`]).
fn fields(r: &Resident) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), r.name.kanji.clone().into());
    m.insert("kana".into(), r.name.kana.clone().into());
    m.insert("birth".into(), r.birth.to_string().into());
    m.insert("sex".into(), r.sex.map(Sex::as_str).into());
    m.insert("address".into(), r.address.line().into());
    m.insert("household".into(), r.household.into());
    m.insert("relationship".into(), r.relationship.as_str().into());
    m
}

/// The fields of the record an event changes.
fn fields_set(kind: &EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::MoveIn { .. } => &["address", "household", "relationship"],
        EventKind::MoveWithin { .. } => &["address"],
        EventKind::NameChange { .. } => &["name", "kana"],
        EventKind::Birth { .. }
        | EventKind::FirstRegistration { .. }
        | EventKind::MoveOut { .. }
        | EventKind::Death => &[],
    }
}

/// The detail row of `kind`, which turned `before` into `after`: the fields it set, and
/// under `from` the values they replaced.
pub(crate) fn detail(kind: &EventKind, before: Option<&Resident>, after: &Resident) -> Value {
    if let EventKind::MoveOut { to } = kind {
        return json!({ "to": to.line() });
    }
    let (Some(b), keys) = (before, fields_set(kind)) else { return json!({}) };
    if keys.is_empty() {
        return json!({});
    }
    let pick = |m: Map<String, Value>| -> Map<String, Value> {
        m.into_iter().filter(|(k, _)| keys.contains(&k.as_str())).collect()
    };
    let mut out = pick(fields(after));
    out.insert("from".into(), Value::Object(pick(fields(b))));
    Value::Object(out)
}

impl RegistryStore {
    /// The life events of one resident, oldest first; empty when there is no such resident.
    pub async fn history(&self, code: ResidentCode) -> Result<Vec<EventRecord>, RegistryError> {
        let Some(current) = self.stored(code).await? else { return Ok(Vec::new()) };
        let sql =
            "SELECT version, kind, effective_on, recorded_at, detail FROM events WHERE resident = $1 ORDER BY version";
        let mut out: Vec<EventRecord> = self
            .db
            .read(sql, &[current.id.into()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<String>(4)?)))
            .await?
            .into_iter()
            .map(|(version, kind, effective_on, recorded_at, detail)| {
                Ok(EventRecord {
                    version,
                    kind,
                    effective_on,
                    recorded_at,
                    detail: serde_json::from_str(&detail).map_err(|e| rows::corrupt("event detail", e))?,
                })
            })
            .collect::<Result<_, RegistryError>>()?;
        let mut first = fields(&current.resident);
        for e in out.iter().skip(1).rev() {
            if let Some(Value::Object(from)) = e.detail.get("from") {
                first.extend(from.clone());
            }
        }
        if let Some(e) = out.first_mut() {
            e.detail = Value::Object(first);
        }
        Ok(out)
    }
}
