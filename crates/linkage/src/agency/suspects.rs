//! The agency's queue of suspect links (マイナンバー情報総点検): the records an inspection
//! found linked to another resident's number, until a clerk corrects or dismisses each. A
//! correction re-links the record in one transaction (its code and its copies) before the hub
//! and the residents are told, so a retry finishes what was begun and repeats nothing.

use myna_link::inspection::{HeldItems, Suspect};
use myna_store::{StoreError, WriteQuery as _};
use sqlx::{Row, any::AnyRow};

use super::AgencyStore;

/// A suspect's state, as the queue keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    /// Re-linked here; the hub and the residents not yet told.
    Relinked,
    Corrected,
    Dismissed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Relinked => "relinked",
            Status::Corrected => "corrected",
            Status::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        [Status::Open, Status::Relinked, Status::Corrected, Status::Dismissed]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("suspect status {s}")))
    }
}

/// A suspect with what a correction in progress keeps.
#[derive(Debug, Clone)]
pub struct SuspectRow {
    pub view: Suspect,
    pub status: Status,
    /// (wrong code, right code, the hub entries' two message ids), once re-linked.
    pub relink: Option<(String, String, [String; 2])>,
}

const COLUMNS: &str =
    "person, case_ref, in_household, items, status, found_at, wrong_code, right_code, hub_ids, closed_by, note";

fn row(r: &AnyRow) -> Result<SuspectRow, StoreError> {
    let items: String = r.try_get(3)?;
    let items: HeldItems =
        serde_json::from_str(&items).map_err(|e| StoreError::Corrupt(format!("suspect items: {e}")))?;
    let status_text: String = r.try_get(4)?;
    let status = Status::parse(&status_text)?;
    let relink = match (
        r.try_get::<Option<String>, _>(6)?,
        r.try_get::<Option<String>, _>(7)?,
        r.try_get::<Option<String>, _>(8)?,
    ) {
        (Some(w), Some(c), Some(ids)) => {
            let (a, b) = ids.split_once(' ').ok_or_else(|| StoreError::Corrupt("suspect hub ids".into()))?;
            Some((w, c, [a.to_string(), b.to_string()]))
        }
        _ => None,
    };
    let view = Suspect {
        person: r.try_get(0)?,
        case: r.try_get(1)?,
        other_in_household: r.try_get::<i64, _>(2)? != 0,
        items,
        status: status_text,
        found_at: r.try_get(5)?,
        closed_by: r.try_get(9)?,
        note: r.try_get(10)?,
    };
    Ok(SuspectRow { view, status, relink })
}

impl AgencyStore {
    /// Queues the links an inspection found suspect, in one transaction: (person, case, the
    /// items are another of the household's, the agency's items). A person already queued is
    /// queued again with the new finding, unless a correction of theirs is in progress.
    pub async fn queue_suspects(&self, rows: &[(&str, &str, bool, &HeldItems)], now: i64) -> Result<(), StoreError> {
        let mut tx = self.db().begin().await?;
        for (person, case, in_household, items) in rows {
            let items = serde_json::to_string(items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO agency_suspects (person, case_ref, in_household, items, status, found_at) VALUES ($1, $2, $3, $4, 'open', $5)
                 ON CONFLICT (person) DO UPDATE SET case_ref = excluded.case_ref, in_household = excluded.in_household, items = excluded.items,
                   status = 'open', found_at = excluded.found_at, closed_by = NULL, note = NULL, closed_at = NULL,
                   wrong_code = NULL, right_code = NULL, hub_ids = NULL
                 WHERE agency_suspects.status <> 'relinked'",
            )
            .bind(*person)
            .bind(*case)
            .bind(i64::from(*in_household))
            .bind(items)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The queue, open ones first, then the newest.
    pub async fn suspects(&self, limit: u32) -> Result<Vec<SuspectRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM agency_suspects ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'relinked' THEN 1 ELSE 2 END, found_at DESC, person LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.db().pool)
        .await?;
        rows.iter().map(row).collect()
    }

    pub async fn suspect(&self, person: &str) -> Result<Option<SuspectRow>, StoreError> {
        let r = sqlx::query(&format!("SELECT {COLUMNS} FROM agency_suspects WHERE person = $1"))
            .bind(person)
            .fetch_optional(&self.db().pool)
            .await?;
        r.as_ref().map(row).transpose()
    }

    /// Re-links `person` from `wrong` to `right` in one transaction: their code, their copies,
    /// and the suspect marked re-linked with the ids the hub's entries will have. Refused if
    /// the right person is already another of the agency's records.
    pub async fn relink(
        &self,
        person: &str,
        wrong: &str,
        right: &str,
        hub_ids: &[String; 2],
        clerk: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        if let Some(other) = self.person_of(right).await? {
            return Err(StoreError::Conflict(format!(
                "the right number's resident is already this agency's record {other}: bring the two records together first"
            )));
        }
        let mut tx = self.db().begin().await?;
        let moved = sqlx::query("UPDATE agency_people SET code = $1 WHERE person = $2 AND code = $3")
            .bind(right)
            .bind(person)
            .bind(wrong)
            .execute(&mut *tx)
            .await?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("{person}'s link changed meanwhile: look again")));
        }
        sqlx::query("UPDATE agency_copies SET code = $1 WHERE code = $2")
            .bind(right)
            .bind(wrong)
            .execute(&mut *tx)
            .await?;
        let marked = sqlx::query(
            "UPDATE agency_suspects SET status = 'relinked', wrong_code = $1, right_code = $2, hub_ids = $3, closed_by = $4, closed_at = $5
             WHERE person = $6 AND status = 'open'",
        )
        .bind(wrong)
        .bind(right)
        .bind(format!("{} {}", hub_ids[0], hub_ids[1]))
        .bind(clerk)
        .bind(now)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("{person} is no longer an open suspect: look again")));
        }
        tx.commit().await
    }

    /// Closes a suspect: corrected (from re-linked) or dismissed (from open), with a note.
    pub async fn close_suspect(
        &self,
        person: &str,
        to: Status,
        note: &str,
        clerk: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let from = if to == Status::Corrected { Status::Relinked } else { Status::Open };
        let r = sqlx::query(
            "UPDATE agency_suspects SET status = $1, note = $2, closed_by = $3, closed_at = $4 WHERE person = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(note)
        .bind(clerk)
        .bind(now)
        .bind(person)
        .bind(from.as_str())
        .write(self.db())
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
