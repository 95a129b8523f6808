//! An agency's tables: its people (known by its own codes), the copies it may provide, and its
//! own record of what it asked and answered.

use myna_link::clerk_api::{ExchangeOutcome, ExchangeRole};
use std::sync::Arc;

use myna_store::{Batch, Db, GroupCommit, GroupError, Migration, Param, Schema, StoreError, WriteQuery as _};
use sqlx::{Row, any::AnyRow};

pub const SCHEMA: Schema = Schema {
    role: "agency",
    migrations: &[
        // What the single list of schemas made as its version 4 (with the hub's).
        Migration {
            version: 1,
            name: "an agency's people, copies and exchanges",
            steps: &[
                // An agency's people: its own reference for each (宛名番号 and the like) and the
                // agency code obtained once through J-LIS (符号取得).
                "CREATE TABLE agency_people (person TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, enrolled_at BIGINT NOT NULL)",
                // The copies (副本) the agency may provide, keyed by its code, in a layout version.
                "CREATE TABLE agency_copies (
            code TEXT NOT NULL,
            item TEXT NOT NULL,
            version TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (code, item)
        )",
                // The agency's own record of what it asked and answered (情報提供等記録).
                "CREATE TABLE agency_exchanges (
            message TEXT NOT NULL,
            role TEXT NOT NULL,
            peer TEXT NOT NULL,
            task TEXT NOT NULL,
            item TEXT NOT NULL,
            code TEXT NOT NULL,
            outcome TEXT NOT NULL,
            record BIGINT,
            at BIGINT NOT NULL,
            PRIMARY KEY (message, role)
        )",
            ],
        },
        Migration {
            version: 2,
            name: "answers awaiting the hub's receipt",
            // Small: only answers not yet confirmed by the hub's log are in it.
            steps: &[
                "CREATE INDEX agency_unconfirmed ON agency_exchanges (at) WHERE role = 'answered' AND record IS NULL",
            ],
        },
        Migration {
            version: 3,
            name: "the member of staff who asked",
            // NULL: the agency's own business system, or an answer to another's query.
            steps: &["ALTER TABLE agency_exchanges ADD COLUMN staff TEXT"],
        },
        Migration {
            version: 4,
            name: "links the inspection found suspect (マイナンバー情報総点検)",
            steps: &[
                // One row per person the latest inspection found linked to another resident's
                // number: the agency's own items of them (JSON), the clerk's decision, and
                // for a correction both codes and the ids of the hub's entries, kept before
                // the hub is told so that a retry repeats nothing.
                "CREATE TABLE agency_suspects (
            person TEXT PRIMARY KEY,
            case_ref TEXT NOT NULL,
            in_household BIGINT NOT NULL,
            items TEXT NOT NULL,
            status TEXT NOT NULL,
            found_at BIGINT NOT NULL,
            wrong_code TEXT,
            right_code TEXT,
            hub_ids TEXT,
            closed_by TEXT,
            note TEXT,
            closed_at BIGINT
        )",
            ],
        },
    ],
};

/// One line of an agency's own exchange record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRow {
    pub message: String,
    pub role: ExchangeRole,
    pub peer: String,
    pub task: String,
    pub item: String,
    pub code: String,
    pub outcome: ExchangeOutcome,
    pub record: Option<u64>,
    pub at: i64,
    /// The staff account that asked (`None`: the agency's own system, or an answer).
    pub staff: Option<String>,
}

#[derive(Clone)]
pub struct AgencyStore {
    db: Db,
    /// The exchange record's writer: the rows of exchanges in flight together share one
    /// commit (one fsync), each exchange still answered only once its row is durable. One
    /// fsynced commit per row cost a fifth of an exchange's CPU on 2 cores (profile in
    /// BENCHMARKS.md).
    records: Arc<GroupCommit<ExchangeRow>>,
}

impl std::fmt::Debug for AgencyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgencyStore").field("db", &self.db).finish_non_exhaustive()
    }
}

/// Record rows per transaction at most.
const GROUP: usize = 1_000;

/// How long the busy record log waits for more rows before it commits a group (an
/// exchange's record is one step of its path: `myna_store::next_group`).
const GATHER: std::time::Duration = std::time::Duration::from_micros(500);
/// Rows per INSERT statement (10 values each).
const CHUNK: usize = 200;

impl AgencyStore {
    /// The agency's tables in `db`, migrated.
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        let writer = db.clone();
        let records = GroupCommit::start_gathering(GROUP, GATHER, move |rows: Vec<ExchangeRow>| {
            let db = writer.clone();
            async move { write_records(&db, &rows).await }
        });
        Ok(Self { db, records: Arc::new(records) })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Keeps `person`'s code. Enrolling a person twice keeps the first code (codes do not
    /// change); a different code for the same reference, or the code under another reference
    /// (the same person enrolled twice), is refused naming what the agency holds.
    pub async fn enrol(&self, person: &str, code: &str, now: i64) -> Result<(), StoreError> {
        // No conflict target: a reference or a code already held both leave the table as it is.
        sqlx::query("INSERT INTO agency_people (person, code, enrolled_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(person)
            .bind(code)
            .bind(now)
            .write(&self.db)
            .await?;
        match self.code_of(person).await? {
            Some(c) if c == code => Ok(()),
            Some(_) => Err(StoreError::Conflict(format!("{person} is already enrolled under another code"))),
            None => {
                let other = self.person_of(code).await?.unwrap_or_default();
                Err(StoreError::Conflict(format!(
                    "this person is already enrolled here as {other}: use that reference"
                )))
            }
        }
    }

    pub async fn code_of(&self, person: &str) -> Result<Option<String>, StoreError> {
        self.db.read_one("SELECT code FROM agency_people WHERE person = $1", &[person.into()], |r| r.get(0)).await
    }

    /// The codes of many people at once (by person), one query per 500; people not enrolled
    /// are left out.
    pub async fn codes_of(&self, persons: &[&str]) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let keys: Vec<String> = persons.iter().map(|p| (*p).to_owned()).collect();
        let rows = self.db.fetch_in("SELECT person, code FROM agency_people WHERE person IN", &keys).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// The agency's own records, a page of people at a time in reference order: for each of
    /// up to `limit` people after `after`, their copies, as (person, item, body). How the
    /// agency's own business (a benefit's determination) reads what it holds. Also answers
    /// the page's last person, to page on from (`None`: no one after `after`).
    pub async fn holdings(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<(Vec<(String, String, String)>, Option<String>), StoreError> {
        let people = sqlx::query("SELECT person, code FROM agency_people WHERE person > $1 ORDER BY person LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await?;
        let mut person_of = std::collections::HashMap::with_capacity(people.len());
        let mut codes = Vec::with_capacity(people.len());
        for r in &people {
            let (person, code): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            codes.push(code.clone());
            person_of.insert(code, person);
        }
        let rows = self.db.fetch_in("SELECT code, item, body FROM agency_copies WHERE code IN", &codes).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let code: String = r.try_get(0)?;
            if let Some(person) = person_of.get(&code) {
                out.push((person.clone(), r.try_get(1)?, r.try_get(2)?));
            }
        }
        let last = people.last().map(|r| r.try_get(0)).transpose()?;
        Ok((out, last))
    }

    /// Keeps many (person, code) pairs in one transaction. A person already enrolled keeps
    /// their first code; a code already another person's fails the whole batch (nothing kept).
    pub async fn enrol_many(&self, people: &[(&str, &str)], now: i64) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for chunk in people.chunks(CHUNK) {
            let mut sql =
                self.db.insert_rows("INSERT INTO agency_people (person, code, enrolled_at) VALUES", chunk.len(), 3);
            sql.push_str(" ON CONFLICT (person) DO NOTHING");
            let mut q = sqlx::query(&sql);
            for (p, c) in chunk {
                q = q.bind(*p).bind(*c).bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Registers (or replaces) many copies in one transaction: (code, item, version, body).
    pub async fn put_copies(&self, copies: &[(&str, &str, String, String)], now: i64) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for chunk in copies.chunks(CHUNK) {
            let mut sql = self.db.insert_rows(
                "INSERT INTO agency_copies (code, item, version, body, updated_at) VALUES",
                chunk.len(),
                5,
            );
            sql.push_str(
                " ON CONFLICT (code, item) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at",
            );
            let mut q = sqlx::query(&sql);
            for (code, item, version, body) in chunk {
                q = q.bind(*code).bind(*item).bind(version.as_str()).bind(body.as_str()).bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    pub async fn person_of(&self, code: &str) -> Result<Option<String>, StoreError> {
        self.db.read_one("SELECT person FROM agency_people WHERE code = $1", &[code.into()], |r| r.get(0)).await
    }

    /// Registers (or replaces) the copy of `item` for the person with `code`.
    pub async fn put_copy(
        &self,
        code: &str,
        item: &str,
        version: &str,
        body: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO agency_copies (code, item, version, body, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code, item) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(item)
        .bind(version)
        .bind(body)
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(())
    }

    /// Stops holding the copy of `item` for `code` (the person moved away); `true` if there
    /// was one.
    pub async fn remove_copy(&self, code: &str, item: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM agency_copies WHERE code = $1 AND item = $2")
            .bind(code)
            .bind(item)
            .write(&self.db)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The copy of `item` for `code`: (version, body).
    pub async fn copy(&self, code: &str, item: &str) -> Result<Option<(String, String)>, StoreError> {
        let sql = "SELECT version, body FROM agency_copies WHERE code = $1 AND item = $2";
        self.db.read_one(sql, &[code.into(), item.into()], |r| Ok((r.get(0)?, r.get(1)?))).await
    }

    /// Records one exchange in the agency's own log. A repeated query keeps its first record;
    /// a repeated answer (the hub resent the forward) is recorded again as not yet confirmed
    /// by the hub's log, since the first may be the one the log never received.
    pub async fn record(&self, x: &ExchangeRow) -> Result<(), StoreError> {
        self.records.write(x.clone()).await.map_err(|e| match e {
            GroupError::Store(e) => e,
            GroupError::Stopped => StoreError::Db(sqlx::Error::PoolClosed),
        })
    }

    /// Answers sent before `before` (Unix ms) that the hub's log has not confirmed yet, oldest
    /// first.
    pub async fn unconfirmed_answers(&self, before: i64, limit: u32) -> Result<Vec<ExchangeRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {EXCHANGE_COLUMNS} FROM agency_exchanges
             WHERE role = 'answered' AND record IS NULL AND outcome IN ('delivered', 'not_held') AND at < $1
             ORDER BY at LIMIT $2"
        ))
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(exchange_row).collect()
    }

    /// What the hub's log says of an answer: its outcome and index there, or, with no index,
    /// the outcome this node gives an answer the log never received.
    pub async fn settle_answer(
        &self,
        message: &str,
        outcome: ExchangeOutcome,
        record: Option<u64>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE agency_exchanges SET outcome = $1, record = $2 WHERE message = $3 AND role = 'answered'")
            .bind(outcome.as_str())
            .bind(record.map(|r| r as i64))
            .bind(message)
            .write(&self.db)
            .await?;
        Ok(())
    }

    /// The agency's own record, newest first.
    pub async fn exchanges(&self, limit: u32) -> Result<Vec<ExchangeRow>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {EXCHANGE_COLUMNS} FROM agency_exchanges ORDER BY at DESC, message LIMIT $1"))
                .bind(i64::from(limit))
                .fetch_all(&self.db.pool)
                .await?;
        rows.iter().map(exchange_row).collect()
    }
}

/// Writes `rows` in one transaction. Rows for the same (message, role) within a statement are
/// applied in order on SQLite; PostgreSQL refuses them, and the group is then written row by
/// row ([`GroupCommit`]), each row still under the rule of [`AgencyStore::record`].
async fn write_records(db: &Db, rows: &[ExchangeRow]) -> Result<(), StoreError> {
    let mut batch = Batch::new();
    for chunk in rows.chunks(CHUNK) {
        let mut sql =
            db.insert_rows(&format!("INSERT INTO agency_exchanges ({EXCHANGE_COLUMNS}) VALUES"), chunk.len(), 10);
        sql.push_str(
            " ON CONFLICT (message, role) DO UPDATE SET outcome = excluded.outcome, record = NULL, at = excluded.at
             WHERE agency_exchanges.role = 'answered'",
        );
        let mut params = Vec::with_capacity(chunk.len() * 10);
        for x in chunk {
            params.extend([
                Param::from(&x.message),
                x.role.as_str().into(),
                (&x.peer).into(),
                (&x.task).into(),
                (&x.item).into(),
                (&x.code).into(),
                x.outcome.as_str().into(),
                x.record.map(|r| r as i64).into(),
                x.at.into(),
                x.staff.as_deref().into(),
            ]);
        }
        batch.push(sql, params);
    }
    db.write_batch(batch).await
}

const EXCHANGE_COLUMNS: &str = "message, role, peer, task, item, code, outcome, record, at, staff";

fn exchange_row(r: &AnyRow) -> Result<ExchangeRow, StoreError> {
    Ok(ExchangeRow {
        message: r.try_get(0)?,
        role: r.try_get::<String, _>(1)?.parse().map_err(StoreError::Corrupt)?,
        peer: r.try_get(2)?,
        task: r.try_get(3)?,
        item: r.try_get(4)?,
        code: r.try_get(5)?,
        outcome: r.try_get::<String, _>(6)?.parse().map_err(StoreError::Corrupt)?,
        record: r.try_get::<Option<i64>, _>(7)?.map(|v| v as u64),
        at: r.try_get(8)?,
        staff: r.try_get(9)?,
    })
}
