//! Storage for the linkage network: the hub's directory and exchange log (`HubStore`), and an
//! agency's people, copies and own exchange record (`AgencyStore`). No payload is ever stored
//! by the hub: its log rows hold the entry, the leaf hash and the person's tag.

use crate::write::WriteQuery as _;
use sqlx::{Row, any::AnyRow};

use crate::{Db, StoreError};

/// One log row to append: the leaf's exact bytes and what the hub indexes it by.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub at: i64,
    pub requester: String,
    pub message: String,
    pub subject: Option<String>,
    pub leaf: [u8; 32],
    pub entry: String,
}

/// A stored log entry; `entry` is `None` once the retention period has passed.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub index: u64,
    pub at: i64,
    pub entry: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AgencyRow {
    pub id: String,
    pub url: String,
    pub seal_key: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct HubStore {
    db: Db,
}

/// Rows per INSERT statement: 6 parameters each, well under every back end's limit.
const CHUNK: usize = 500;

impl HubStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn upsert_agency(&self, a: &AgencyRow, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hub_agencies (id, url, seal_key, name, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET url = excluded.url, seal_key = excluded.seal_key, name = excluded.name, updated_at = excluded.updated_at",
        )
        .bind(&a.id)
        .bind(&a.url)
        .bind(&a.seal_key)
        .bind(&a.name)
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(())
    }

    pub async fn agencies(&self) -> Result<Vec<AgencyRow>, StoreError> {
        let rows = sqlx::query("SELECT id, url, seal_key, name FROM hub_agencies ORDER BY id")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AgencyRow { id: r.try_get(0)?, url: r.try_get(1)?, seal_key: r.try_get(2)?, name: r.try_get(3)? })
            })
            .collect()
    }

    /// Appends `entries` as indexes `first ..`, in one transaction: the group commit. Returns
    /// only once the transaction is durable.
    pub async fn append(&self, first: u64, entries: &[NewEntry]) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for (c, chunk) in entries.chunks(CHUNK).enumerate() {
            let mut sql =
                String::from("INSERT INTO hub_log (idx, at, requester, message, subject, leaf, entry) VALUES ");
            for i in 0..chunk.len() {
                let p = i * 7;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${},${},${},${},${},${},${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                ));
            }
            let mut q = sqlx::query(&sql);
            for (i, e) in chunk.iter().enumerate() {
                q = q
                    .bind((first + (c * CHUNK + i) as u64) as i64)
                    .bind(e.at)
                    .bind(&e.requester)
                    .bind(&e.message)
                    .bind(e.subject.clone())
                    .bind(hex::encode(e.leaf))
                    .bind(&e.entry);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every leaf hash in order (to rebuild the tree at start).
    pub async fn leaves(&self) -> Result<Vec<[u8; 32]>, StoreError> {
        let rows = sqlx::query("SELECT idx, leaf FROM hub_log ORDER BY idx").fetch_all(&self.db.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (n, r) in rows.iter().enumerate() {
            let idx: i64 = r.try_get(0)?;
            if idx != n as i64 {
                return Err(StoreError::Corrupt(format!("the exchange log has a gap before entry {idx}")));
            }
            let mut leaf = [0u8; 32];
            hex::decode_to_slice(r.try_get::<String, _>(1)?, &mut leaf)
                .map_err(|e| StoreError::Corrupt(format!("leaf {idx}: {e}")))?;
            out.push(leaf);
        }
        Ok(out)
    }

    /// The entry recorded for `requester`'s message `message`, if any (a retry).
    pub async fn by_message(&self, requester: &str, message: &str) -> Result<Option<LogRow>, StoreError> {
        let r = sqlx::query("SELECT idx, at, entry FROM hub_log WHERE requester = $1 AND message = $2")
            .bind(requester)
            .bind(message)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(log_row).transpose()
    }

    pub async fn entry(&self, index: u64) -> Result<Option<LogRow>, StoreError> {
        let r = sqlx::query("SELECT idx, at, entry FROM hub_log WHERE idx = $1")
            .bind(index as i64)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(log_row).transpose()
    }

    /// One person's entries (by tag), newest first.
    pub async fn of_subject(&self, subject: &str, limit: u32) -> Result<Vec<LogRow>, StoreError> {
        let rows = sqlx::query("SELECT idx, at, entry FROM hub_log WHERE subject = $1 ORDER BY idx DESC LIMIT $2")
            .bind(subject)
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(log_row).collect()
    }

    pub async fn save_head(&self, size: u64, root: &str, at: i64, signed: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hub_heads (size, root, at, signed) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING",
        )
        .bind(size as i64)
        .bind(root)
        .bind(at)
        .bind(signed)
        .write(&self.db)
        .await?;
        Ok(())
    }

    /// Clears the entry and the person's tag of every record older than `before` (unix ms):
    /// the 7-year retention. Leaf hashes stay, so the tree and its proofs are unchanged.
    pub async fn expire(&self, before: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("UPDATE hub_log SET entry = NULL, subject = NULL WHERE at < $1 AND entry IS NOT NULL")
            .bind(before)
            .write(&self.db)
            .await?;
        Ok(r.rows_affected())
    }
}

fn log_row(r: &AnyRow) -> Result<LogRow, StoreError> {
    Ok(LogRow { index: r.try_get::<i64, _>(0)? as u64, at: r.try_get(1)?, entry: r.try_get(2)? })
}

/// One line of an agency's own exchange record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRow {
    pub message: String,
    /// `asked` or `answered`.
    pub role: String,
    pub peer: String,
    pub task: String,
    pub item: String,
    pub code: String,
    pub outcome: String,
    pub record: Option<u64>,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct AgencyStore {
    db: Db,
}

impl AgencyStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Keeps `person`'s code. Enrolling a person twice keeps the first code (codes do not
    /// change); a different code for the same person is refused.
    pub async fn enrol(&self, person: &str, code: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO agency_people (person, code, enrolled_at) VALUES ($1, $2, $3) ON CONFLICT (person) DO NOTHING",
        )
        .bind(person)
        .bind(code)
        .bind(now)
        .write(&self.db)
        .await?;
        match self.code_of(person).await? {
            Some(c) if c == code => Ok(()),
            _ => Err(StoreError::Conflict(format!("{person} is already enrolled under another code"))),
        }
    }

    pub async fn code_of(&self, person: &str) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT code FROM agency_people WHERE person = $1")
            .bind(person)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn person_of(&self, code: &str) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT person FROM agency_people WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
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

    /// The copy of `item` for `code`: (version, body).
    pub async fn copy(&self, code: &str, item: &str) -> Result<Option<(String, String)>, StoreError> {
        let r = sqlx::query("SELECT version, body FROM agency_copies WHERE code = $1 AND item = $2")
            .bind(code)
            .bind(item)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?))).transpose()?)
    }

    /// Records one exchange in the agency's own log. A repeated query keeps its first record;
    /// a repeated answer (the hub resent the forward) is recorded again as not yet confirmed
    /// by the hub's log, since the first may be the one the log never received.
    pub async fn record(&self, x: &ExchangeRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO agency_exchanges (message, role, peer, task, item, code, outcome, record, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (message, role) DO UPDATE SET outcome = excluded.outcome, record = NULL, at = excluded.at
             WHERE agency_exchanges.role = 'answered'",
        )
        .bind(&x.message)
        .bind(&x.role)
        .bind(&x.peer)
        .bind(&x.task)
        .bind(&x.item)
        .bind(&x.code)
        .bind(&x.outcome)
        .bind(x.record.map(|r| r as i64))
        .bind(x.at)
        .write(&self.db)
        .await?;
        Ok(())
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
    pub async fn settle_answer(&self, message: &str, outcome: &str, record: Option<u64>) -> Result<(), StoreError> {
        sqlx::query("UPDATE agency_exchanges SET outcome = $1, record = $2 WHERE message = $3 AND role = 'answered'")
            .bind(outcome)
            .bind(record.map(|r| r as i64))
            .bind(message)
            .write(&self.db)
            .await?;
        Ok(())
    }

    /// The agency's own record, newest first.
    pub async fn exchanges(&self, limit: u32) -> Result<Vec<ExchangeRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {EXCHANGE_COLUMNS} FROM agency_exchanges ORDER BY at DESC, message LIMIT $1"))
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(exchange_row).collect()
    }
}

const EXCHANGE_COLUMNS: &str = "message, role, peer, task, item, code, outcome, record, at";

fn exchange_row(r: &AnyRow) -> Result<ExchangeRow, StoreError> {
    Ok(ExchangeRow {
        message: r.try_get(0)?,
        role: r.try_get(1)?,
        peer: r.try_get(2)?,
        task: r.try_get(3)?,
        item: r.try_get(4)?,
        code: r.try_get(5)?,
        outcome: r.try_get(6)?,
        record: r.try_get::<Option<i64>, _>(7)?.map(|v| v as u64),
        at: r.try_get(8)?,
    })
}
