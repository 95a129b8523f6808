//! J-LIS's access log (本人確認情報の提供状況): every lookup, verification and record read,
//! who asked (by certificate), for which task and case, and about whom. The resident reads
//! their own entries through the portal. Rows are appended in groups (`GroupCommit`), each
//! durable before the answer it records is given.
//!
//! The log is tamper-evident as the hub's is: each row is a leaf of a Merkle tree (RFC 9162),
//! its bytes kept with it (the access and a J-LIS pseudonym of the resident, never the record
//! code), and J-LIS signs the tree's head; a resident's portal checks each of their entries'
//! inclusion and that the log only grew since it last looked. The tree is rebuilt from the
//! leaves at start.

use std::sync::{Arc, Mutex};

use myna_link::merkle::{self, Tree};
use myna_store::{Batch, Db, GroupCommit, GroupError, Migration, Param, Schema, StoreError};
use sqlx::Row as _;

pub const ACCESS: Schema = Schema {
    role: "jlis_access",
    migrations: &[
        Migration {
            version: 1,
            name: "access log",
            steps: &[
                // `resident` is the record code (none when a lookup matched nobody).
                "CREATE TABLE access_log (
            seq {ID},
            at BIGINT NOT NULL,
            resident BIGINT,
            caller TEXT NOT NULL,
            action TEXT NOT NULL,
            task TEXT NOT NULL,
            case_ref TEXT NOT NULL
        )",
                "CREATE INDEX access_log_resident ON access_log (resident, seq)",
            ],
        },
        Migration {
            version: 2,
            name: "access log as a Merkle tree",
            // `idx`: the leaf's index in the tree; `leaf`: its exact bytes. Rows written before
            // are given both at the next start, in the order they were written.
            steps: &[
                "ALTER TABLE access_log ADD COLUMN idx BIGINT",
                "ALTER TABLE access_log ADD COLUMN leaf TEXT",
                "CREATE UNIQUE INDEX access_log_idx ON access_log (idx)",
            ],
        },
    ],
};

/// A leaf's bytes: the access and who it was about, by J-LIS's pseudonym.
#[derive(serde::Serialize)]
struct Leaf<'a> {
    subject: &'a str,
    #[serde(flatten)]
    access: &'a Access,
}

/// One access, as recorded and as shown to the resident (the wire type of the portal's read).
pub use myna_link::AccessEntry as Access;

#[derive(Clone)]
struct Row {
    resident: Option<u64>,
    access: Access,
}

/// One of a resident's entries with its place in the tree and its exact bytes.
pub struct Logged {
    pub index: u64,
    pub leaf: String,
}

/// Rows per transaction at most.
const GROUP: usize = 1_000;

pub struct AccessLog {
    db: Db,
    writer: GroupCommit<Vec<Row>>,
    tree: Arc<Mutex<Tree>>,
}

/// The writer's state: the database, the tree, the key of the residents' pseudonyms.
#[derive(Clone)]
struct Writer {
    db: Db,
    tree: Arc<Mutex<Tree>>,
    key: Arc<aws_lc_rs::hmac::Key>,
}

impl AccessLog {
    /// `pseudonym_key` makes the residents' pseudonyms in the leaves (J-LIS's own secret).
    pub async fn open(db: Db, pseudonym_key: &[u8]) -> Result<Self, StoreError> {
        db.migrate(&ACCESS).await?;
        let w = Writer {
            db: db.clone(),
            tree: Arc::new(Mutex::new(Tree::new())),
            key: Arc::new(aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, pseudonym_key)),
        };
        w.backfill().await?;
        w.rebuild().await?;
        let tree = w.tree.clone();
        let writer = GroupCommit::start(GROUP, move |groups: Vec<Vec<Row>>| {
            let w = w.clone();
            async move { w.append(groups.into_iter().flatten().collect()).await }
        });
        Ok(Self { db, writer, tree })
    }

    /// The tree's size and root now.
    pub fn head(&self) -> Result<(u64, merkle::Hash), StoreError> {
        let t = self.tree.lock().map_err(|_| StoreError::Corrupt("access log tree lock".into()))?;
        let size = t.len();
        Ok((size, t.root(size).map_err(|e| StoreError::Corrupt(e.to_string()))?))
    }

    /// The proof that leaf `index` is in the tree of `size` leaves.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<Vec<merkle::Hash>, StoreError> {
        let t = self.tree.lock().map_err(|_| StoreError::Corrupt("access log tree lock".into()))?;
        t.inclusion(index, size).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The proof that the tree of `new` leaves extends the one of `old`.
    pub fn consistency(&self, old: u64, new: u64) -> Result<Vec<merkle::Hash>, StoreError> {
        let t = self.tree.lock().map_err(|_| StoreError::Corrupt("access log tree lock".into()))?;
        t.consistency(old, new).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// A resident's entries with their leaves, newest first, at most `limit`.
    pub async fn logged_of(&self, resident: u64, limit: i64) -> Result<Vec<Logged>, StoreError> {
        let rows = sqlx::query(
            "SELECT idx, leaf FROM access_log WHERE resident = $1 AND idx IS NOT NULL ORDER BY idx DESC LIMIT $2",
        )
        .bind(resident as i64)
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(Logged { index: r.try_get::<i64, _>(0)? as u64, leaf: r.try_get(1)? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Records one access about `residents` (none: a lookup that matched nobody); returns once
    /// it is durable.
    pub async fn record(&self, residents: &[u64], access: Access) -> Result<(), GroupError> {
        let rows: Vec<Row> = if residents.is_empty() {
            vec![Row { resident: None, access }]
        } else {
            residents.iter().map(|&r| Row { resident: Some(r), access: access.clone() }).collect()
        };
        self.writer.write(rows).await
    }
}

impl Writer {
    fn leaf(&self, r: &Row) -> String {
        let subject = match r.resident {
            Some(code) => hex::encode(&aws_lc_rs::hmac::sign(&self.key, &code.to_be_bytes()).as_ref()[..16]),
            None => "none".into(),
        };
        serde_json::to_string(&Leaf { subject: &subject, access: &r.access }).unwrap_or_default()
    }

    fn size(&self) -> Result<u64, StoreError> {
        Ok(self.tree.lock().map_err(|_| StoreError::Corrupt("access log tree lock".into()))?.len())
    }

    /// Rows of schema 1 get their place and bytes, in the order they were written.
    async fn backfill(&self) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, resident, caller, action, task, case_ref FROM access_log WHERE idx IS NULL ORDER BY seq",
        )
        .fetch_all(&self.db.pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let next: Option<i64> =
            sqlx::query("SELECT max(idx) FROM access_log").fetch_one(&self.db.pool).await?.try_get(0)?;
        let mut idx = next.map_or(0, |n| n + 1);
        let mut tx = self.db.begin().await?;
        for r in &rows {
            let row = Row {
                resident: r.try_get::<Option<i64>, _>(2)?.map(|v| v as u64),
                access: Access {
                    at: r.try_get(1)?,
                    caller: r.try_get(3)?,
                    action: r.try_get(4)?,
                    task: r.try_get(5)?,
                    case_ref: r.try_get(6)?,
                },
            };
            sqlx::query("UPDATE access_log SET idx = $1, leaf = $2 WHERE seq = $3")
                .bind(idx)
                .bind(self.leaf(&row))
                .bind(r.try_get::<i64, _>(0)?)
                .execute(&mut *tx)
                .await?;
            idx += 1;
        }
        tx.commit().await
    }

    async fn rebuild(&self) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT idx, leaf FROM access_log WHERE idx IS NOT NULL ORDER BY idx")
            .fetch_all(&self.db.pool)
            .await?;
        let mut t = self.tree.lock().map_err(|_| StoreError::Corrupt("access log tree lock".into()))?;
        for r in &rows {
            let idx = r.try_get::<i64, _>(0)? as u64;
            if idx != t.len() {
                return Err(StoreError::Corrupt(format!("the access log's leaf {} is missing", t.len())));
            }
            let leaf: String = r.try_get(1)?;
            t.push(merkle::leaf_hash(leaf.as_bytes()));
        }
        Ok(())
    }

    /// One group in one transaction; the leaves join the tree only once it is durable.
    async fn append(&self, rows: Vec<Row>) -> Result<(), StoreError> {
        let start = self.size()?;
        let leaves: Vec<String> = rows.iter().map(|r| self.leaf(r)).collect();
        let mut batch = Batch::new();
        for (c, chunk) in rows.chunks(100).enumerate() {
            let sql = self.db.insert_rows(
                "INSERT INTO access_log (at, resident, caller, action, task, case_ref, idx, leaf) VALUES",
                chunk.len(),
                8,
            );
            let mut params = Vec::with_capacity(chunk.len() * 8);
            for (i, r) in chunk.iter().enumerate() {
                let n = c * 100 + i;
                params.extend([
                    Param::Int(r.access.at),
                    r.resident.map(|v| v as i64).into(),
                    (&r.access.caller).into(),
                    (&r.access.action).into(),
                    r.access.task.clone().into(),
                    r.access.case_ref.clone().into(),
                    Param::Int((start + n as u64) as i64),
                    (&leaves[n]).into(),
                ]);
            }
            batch.push(sql, params);
        }
        self.db.write_batch(batch).await?;
        let mut t = self.tree.lock().map_err(|_| StoreError::Corrupt("access log tree lock".into()))?;
        for l in &leaves {
            t.push(merkle::leaf_hash(l.as_bytes()));
        }
        Ok(())
    }
}
