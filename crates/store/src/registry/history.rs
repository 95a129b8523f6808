//! What an event row keeps, and the history read back from it.
//!
//! A change event keeps the values it set and the ones it replaced (`from`), as the register
//! itself keeps 前住所 and 旧氏名. A creating event keeps nothing: the record as first written
//! is the current record with every later event's `from` put back, newest first. That saves
//! a copy of each record in the events table (40 % of the bytes at national scale) and loses
//! nothing: every value the record ever held is in some row.

use myna_registry::{EventKind, Resident, ResidentCode, Sex};
use serde_json::{Map, Value, json};
use sqlx::Row;

use super::RegistryStore;
use crate::{StoreError, rows};

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

/// The fields a creating event's detail shows, from a record.
fn as_first_written(r: &Resident) -> Map<String, Value> {
    let v = json!({
        "name": r.name.kanji, "kana": r.name.kana, "birth": r.birth.to_string(),
        "sex": r.sex.map(Sex::as_str), "address": r.address.line(),
        "household": r.household, "relationship": r.relationship.as_str(),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The detail row of `kind`, which turned `before` into `after`.
pub(crate) fn detail(kind: &EventKind, before: Option<&Resident>, after: &Resident) -> Value {
    let Some(b) = before else { return json!({}) };
    match kind {
        EventKind::Birth { .. } | EventKind::FirstRegistration { .. } | EventKind::Death => json!({}),
        EventKind::MoveIn { .. } => json!({
            "address": after.address.line(), "household": after.household,
            "relationship": after.relationship.as_str(),
            "from": { "address": b.address.line(), "household": b.household, "relationship": b.relationship.as_str() },
        }),
        EventKind::MoveOut { to } => json!({ "to": to }),
        EventKind::MoveWithin { .. } => json!({
            "address": after.address.line(), "from": { "address": b.address.line() },
        }),
        EventKind::NameChange { .. } => json!({
            "name": after.name.kanji, "kana": after.name.kana,
            "from": { "name": b.name.kanji, "kana": b.name.kana },
        }),
    }
}

impl RegistryStore {
    /// The life events of one resident, oldest first; empty when there is no such resident.
    pub async fn history(&self, code: ResidentCode) -> Result<Vec<EventRecord>, StoreError> {
        let Some(current) = self.stored(code).await? else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT version, kind, effective_on, recorded_at, detail FROM events WHERE resident = $1 ORDER BY version",
        )
        .bind(current.id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out: Vec<EventRecord> = rows
            .iter()
            .map(|r| {
                let detail: String = r.try_get(4)?;
                Ok(EventRecord {
                    version: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    effective_on: r.try_get(2)?,
                    recorded_at: r.try_get(3)?,
                    detail: serde_json::from_str(&detail).map_err(|e| rows::corrupt("event detail", e))?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let mut first = as_first_written(&current.resident);
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
