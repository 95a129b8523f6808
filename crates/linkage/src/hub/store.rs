//! The hub's tables: the directory and the exchange log. No payload is ever stored by the
//! hub: its log rows hold the entry, the leaf hash and the person's tag.

use myna_link::{TreeHead, tiles::FullTile};
use myna_store::{Batch, Db, Migration, Param, Row as DbRow, Schema, StoreError, Val, WriteQuery as _};
use sqlx::Row;

/// Version 1 is what the single list of schemas made as its version 4 (with the agency's).
pub const SCHEMA: Schema = Schema {
    role: "hub",
    migrations: &[
        Migration {
            version: 1,
            name: "the hub's directory and exchange log",
            steps: &[
                // The hub's directory: where each agency's node is and its public encryption key. The
                // agency's id and signing key come from its certificate, not from here.
                "CREATE TABLE hub_agencies (id TEXT PRIMARY KEY, url TEXT NOT NULL, seal_key TEXT NOT NULL, name TEXT NOT NULL, updated_at BIGINT NOT NULL)",
                // One row per leaf of the transparency log, in order. `entry` is the leaf's exact
                // bytes (JSON); it and `subject` are cleared after the retention period, `leaf` (the
                // leaf hash) stays so every proof still holds.
                "CREATE TABLE hub_log (
            idx {ID},
            at BIGINT NOT NULL,
            requester TEXT NOT NULL,
            message TEXT NOT NULL,
            subject TEXT,
            leaf TEXT NOT NULL,
            entry TEXT
        )",
                "CREATE UNIQUE INDEX hub_log_message ON hub_log (requester, message)",
                "CREATE INDEX hub_log_subject ON hub_log (subject) WHERE subject IS NOT NULL",
                "CREATE INDEX hub_log_at ON hub_log (at) WHERE entry IS NOT NULL",
                "CREATE TABLE hub_heads (size BIGINT PRIMARY KEY, root TEXT NOT NULL, at BIGINT NOT NULL, signed TEXT NOT NULL)",
            ],
        },
        Migration {
            version: 2,
            name: "an agency's login service (a portal's origin)",
            steps: &["ALTER TABLE hub_agencies ADD COLUMN login_service TEXT"],
        },
        Migration {
            version: 3,
            name: "the log's full hash tiles (tlog-tiles)",
            steps: &[
                // Each full tile of 256 hashes, written in the transaction of the append that
                // filled it and never changed. The partial tiles at the right edge are computed
                // from `hub_log` and the tiles below. A log from before this table gets its
                // tiles when the hub next starts.
                "CREATE TABLE hub_tiles (level BIGINT NOT NULL, idx BIGINT NOT NULL, hashes {BLOB} NOT NULL, PRIMARY KEY (level, idx))",
            ],
        },
    ],
};

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
    /// A portal's origin, named in the login challenges its residents' cards sign.
    pub login_service: Option<String>,
}

#[derive(Debug, Clone)]
pub struct HubStore {
    db: Db,
}

/// Rows per INSERT statement: 6 parameters each, well under every back end's limit.
const CHUNK: usize = 500;

impl HubStore {
    /// The hub's tables in `db`, migrated.
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn upsert_agency(&self, a: &AgencyRow, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hub_agencies (id, url, seal_key, name, updated_at, login_service) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET url = excluded.url, seal_key = excluded.seal_key, name = excluded.name,
             updated_at = excluded.updated_at, login_service = excluded.login_service",
        )
        .bind(&a.id)
        .bind(&a.url)
        .bind(&a.seal_key)
        .bind(&a.name)
        .bind(now)
        .bind(&a.login_service)
        .write(&self.db)
        .await?;
        Ok(())
    }

    pub async fn agencies(&self) -> Result<Vec<AgencyRow>, StoreError> {
        let rows = sqlx::query("SELECT id, url, seal_key, name, login_service FROM hub_agencies ORDER BY id")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AgencyRow {
                    id: r.try_get(0)?,
                    url: r.try_get(1)?,
                    seal_key: r.try_get(2)?,
                    name: r.try_get(3)?,
                    login_service: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Appends `entries` as indexes `first ..` and the tiles they filled, in one transaction:
    /// the group commit. Returns only once the transaction is durable.
    /// `head`, the signed head of the tree these entries make, is kept with them.
    pub async fn append(
        &self,
        first: u64,
        entries: &[NewEntry],
        tiles: &[FullTile],
        head: Option<(&TreeHead, &str)>,
    ) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        self.insert_tiles(&mut batch, tiles);
        for (c, chunk) in entries.chunks(CHUNK).enumerate() {
            let sql = self.db.insert_rows(
                "INSERT INTO hub_log (idx, at, requester, message, subject, leaf, entry) VALUES",
                chunk.len(),
                7,
            );
            let mut params = Vec::with_capacity(chunk.len() * 7);
            for (i, e) in chunk.iter().enumerate() {
                params.extend([
                    Param::Int((first + (c * CHUNK + i) as u64) as i64),
                    e.at.into(),
                    (&e.requester).into(),
                    (&e.message).into(),
                    e.subject.clone().into(),
                    hex::encode(e.leaf).into(),
                    (&e.entry).into(),
                ]);
            }
            batch.push(sql, params);
        }
        if let Some((h, signed)) = head {
            batch.push(
                "INSERT INTO hub_heads (size, root, at, signed) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING",
                vec![Param::Int(h.size as i64), (&h.root).into(), h.at.into(), signed.into()],
            );
        }
        self.db.write_batch(batch).await
    }

    /// The leaf hashes of entries `from .. to`, in order.
    pub async fn leaves(&self, from: u64, to: u64) -> Result<Vec<[u8; 32]>, StoreError> {
        let rows = sqlx::query("SELECT idx, leaf FROM hub_log WHERE idx >= $1 AND idx < $2 ORDER BY idx")
            .bind(from as i64)
            .bind(to as i64)
            .fetch_all(&self.db.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (n, r) in rows.iter().enumerate() {
            let idx: i64 = r.try_get(0)?;
            if idx != (from + n as u64) as i64 {
                return Err(StoreError::Corrupt(format!("the exchange log has a gap before entry {idx}")));
            }
            let mut leaf = [0u8; 32];
            hex::decode_to_slice(r.try_get::<String, _>(1)?, &mut leaf)
                .map_err(|e| StoreError::Corrupt(format!("leaf {idx}: {e}")))?;
            out.push(leaf);
        }
        if out.len() as u64 != to.saturating_sub(from) {
            return Err(StoreError::Corrupt(format!("the exchange log ends before entry {to}")));
        }
        Ok(out)
    }

    /// The number of entries: one past the last index.
    pub async fn size(&self) -> Result<u64, StoreError> {
        let r = sqlx::query("SELECT MAX(idx) FROM hub_log").fetch_one(&self.db.pool).await?;
        Ok(r.try_get::<Option<i64>, _>(0)?.map_or(0, |m| m as u64 + 1))
    }

    /// The exact bytes of entries `from .. to` (`None` where the retention period cleared one).
    pub async fn entries(&self, from: u64, to: u64) -> Result<Vec<Option<String>>, StoreError> {
        let rows = sqlx::query("SELECT entry FROM hub_log WHERE idx >= $1 AND idx < $2 ORDER BY idx")
            .bind(from as i64)
            .bind(to as i64)
            .fetch_all(&self.db.pool)
            .await?;
        if rows.len() as u64 != to.saturating_sub(from) {
            return Err(StoreError::Corrupt(format!("the exchange log lacks entries in {from}..{to}")));
        }
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The entry recorded for `requester`'s message `message`, if any (a retry).
    pub async fn by_message(&self, requester: &str, message: &str) -> Result<Option<LogRow>, StoreError> {
        let sql = "SELECT idx, at, entry FROM hub_log WHERE requester = $1 AND message = $2";
        self.db.read_one(sql, &[requester.into(), message.into()], log_row).await
    }

    /// The entries of many messages at once (a provider's receipts), keyed by (requester,
    /// message): one query per 200 of them instead of one each.
    pub async fn by_messages(
        &self,
        keys: &[(String, String)],
    ) -> Result<std::collections::HashMap<(String, String), LogRow>, StoreError> {
        let mut out = std::collections::HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(200) {
            let clauses: Vec<String> = (0..chunk.len())
                .map(|i| format!("(requester = ${} AND message = ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!("SELECT idx, at, entry, requester, message FROM hub_log WHERE {}", clauses.join(" OR "));
            let params: Vec<Val<'_>> = chunk.iter().flat_map(|(r, m)| [Val::from(r), Val::from(m)]).collect();
            for (key, row) in self.db.read(&sql, &params, |r| Ok(((r.get(3)?, r.get(4)?), log_row(r)?))).await? {
                out.insert(key, row);
            }
        }
        Ok(out)
    }

    pub async fn entry(&self, index: u64) -> Result<Option<LogRow>, StoreError> {
        self.db.read_one("SELECT idx, at, entry FROM hub_log WHERE idx = $1", &[(index as i64).into()], log_row).await
    }

    /// One person's entries (by tag), newest first.
    pub async fn of_subject(&self, subject: &str, limit: u32) -> Result<Vec<LogRow>, StoreError> {
        let sql = "SELECT idx, at, entry FROM hub_log WHERE subject = $1 ORDER BY idx DESC LIMIT $2";
        self.db.read(sql, &[subject.into(), i64::from(limit).into()], log_row).await
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

fn log_row(r: &DbRow<'_, '_>) -> Result<LogRow, StoreError> {
    Ok(LogRow { index: r.get::<i64>(0)? as u64, at: r.get(1)?, entry: r.get(2)? })
}
