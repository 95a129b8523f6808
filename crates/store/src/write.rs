//! Write transactions that cannot leave a connection behind in an unknown state, and the
//! condition of the storage (full, read-only, failing) as the node last saw it; the next
//! successful commit clears it.
//!
//! Why by hand: sqlx's `Transaction` keeps its own count of open transactions and, on an
//! error, rolls back lazily and returns the connection to the pool. When SQLite answers
//! SQLITE_FULL or IOERR it may already have rolled back by itself, or refuse the ROLLBACK;
//! sqlx's count and SQLite's state then disagree, the next `begin` becomes a SAVEPOINT inside
//! a transaction that never ends, and its "commit" only releases the savepoint — a write
//! acknowledged and never made durable (issue 13). Here a transaction is `BEGIN` … `COMMIT`
//! on a connection of its own, and any way out other than a successful COMMIT discards that
//! connection: closing it rolls back whatever it held, so the fate of every write is known.

use std::{
    ops::{Deref, DerefMut},
    sync::{
        Mutex,
        atomic::{AtomicU8, AtomicU64, Ordering},
    },
};

use sqlx::{Any, AnyConnection, Executor, pool::PoolConnection};

use crate::{Backend, Db, StoreError};

/// What is wrong with the storage, when a write failed because of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageCondition {
    /// No space left (SQLITE_FULL, PostgreSQL 53100).
    Full,
    /// The database refuses writes (a read-only file or mount, a standby server).
    ReadOnly,
    /// The device or file answers errors (SQLITE_IOERR, CANTOPEN, CORRUPT).
    Failing,
    /// The database server cannot be reached or went away.
    Unreachable,
}

impl StorageCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::ReadOnly => "read_only",
            Self::Failing => "failing",
            Self::Unreachable => "unreachable",
        }
    }

    /// What a person reading a refusal should know.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Full => {
                "the node's storage is full: nothing was recorded; retry once space is freed (with the same Idempotency-Key)"
            }
            Self::ReadOnly => {
                "the node's database is read-only: nothing was recorded; writes resume once it is writable again"
            }
            Self::Failing => {
                "the node's storage answered an I/O error: nothing was acknowledged; retry with the same Idempotency-Key"
            }
            Self::Unreachable => {
                "the node lost its database connection: nothing was acknowledged; retry with the same Idempotency-Key"
            }
        }
    }

    const ALL: [StorageCondition; 4] = [Self::Full, Self::ReadOnly, Self::Failing, Self::Unreachable];

    fn code(self) -> u8 {
        self as u8 + 1
    }

    fn from_code(c: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == c)
    }

    /// The condition an error from the database driver shows, if any.
    pub fn of(e: &sqlx::Error) -> Option<Self> {
        match e {
            sqlx::Error::Database(d) => {
                let code = d.code()?;
                if let Ok(n) = code.parse::<i32>() {
                    return Self::of_sqlite(n);
                }
                match code.as_ref() {
                    "53100" => Some(Self::Full),
                    "25006" => Some(Self::ReadOnly),
                    c if c.starts_with("58") || c == "53000" || c == "XX001" => Some(Self::Failing),
                    c if c.starts_with("08") || c.starts_with("57P") => Some(Self::Unreachable),
                    _ => None,
                }
            }
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                Some(Self::Unreachable)
            }
            _ => None,
        }
    }
}

impl StorageCondition {
    /// The condition a SQLite result code shows: the extended code, whose low byte is the
    /// primary code.
    pub fn of_sqlite(extended: i32) -> Option<Self> {
        match extended & 0xff {
            13 => Some(Self::Full),
            8 => Some(Self::ReadOnly),
            10 | 11 | 14 | 26 => Some(Self::Failing),
            _ => None,
        }
    }

    /// The condition an error of the writer thread's SQLite connection shows, if any.
    pub fn of_lite(e: &rusqlite::Error) -> Option<Self> {
        e.sqlite_error().and_then(|f| Self::of_sqlite(f.extended_code))
    }
}

/// The storage condition this process last saw, and how many writes it refused for it.
/// One per process: a node runs in a process of its own (and the demo's nodes share one
/// disk), so what one write meets is what the next one will.
struct Health {
    condition: AtomicU8,
    refused: AtomicU64,
    last: Mutex<String>,
}

static HEALTH: Health =
    Health { condition: AtomicU8::new(0), refused: AtomicU64::new(0), last: Mutex::new(String::new()) };

/// Notes a driver error; called by every conversion into [`StoreError`].
pub(crate) fn observe(e: &sqlx::Error) {
    note(StorageCondition::of(e), e);
}

/// A SQLite error of the writer thread ([`crate::Batch`]), noted as [`observe`] notes one of
/// sqlx's.
pub(crate) fn lite(e: rusqlite::Error) -> StoreError {
    note(StorageCondition::of_lite(&e), &e);
    StoreError::Sqlite(e)
}

fn note(condition: Option<StorageCondition>, e: &dyn std::fmt::Display) {
    if let Some(c) = condition {
        let before = HEALTH.condition.swap(c.code(), Ordering::AcqRel);
        HEALTH.refused.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut l) = HEALTH.last.lock() {
            *l = e.to_string();
        }
        if before != c.code() {
            tracing::error!(condition = c.as_str(), error = %e, "storage condition: writes are refused");
        }
    }
}

pub(crate) fn healthy() {
    if HEALTH.condition.swap(0, Ordering::AcqRel) != 0 {
        tracing::warn!("storage condition cleared: writes are accepted again");
    }
}

/// What `/healthz` and `/metrics` report about the storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageReport {
    pub condition: Option<StorageCondition>,
    /// Database errors counted since the process started that showed a storage condition.
    pub refused: u64,
    /// The last such error, for the operator.
    pub last_error: String,
}

impl StorageReport {
    pub fn now() -> Self {
        Self {
            condition: StorageCondition::from_code(HEALTH.condition.load(Ordering::Acquire)),
            refused: HEALTH.refused.load(Ordering::Relaxed),
            last_error: HEALTH.last.lock().map(|l| l.clone()).unwrap_or_default(),
        }
    }

    pub fn conditions() -> impl Iterator<Item = StorageCondition> {
        StorageCondition::ALL.into_iter()
    }
}

/// An open write transaction on a connection of its own. Statements run on it through
/// `&mut *tx`; [`WriteTx::commit`] is the only way to keep them. Dropped without a
/// successful commit (an error, a `?`, a cancelled request), the connection is closed,
/// which rolls back everything it held, and never returns to the pool.
pub struct WriteTx {
    conn: Option<PoolConnection<Any>>,
}

impl Db {
    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers wait for each other (busy timeout) instead of one failing
    /// when it upgrades from reading.
    pub async fn begin(&self) -> Result<WriteTx, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        match conn.execute(begin).await {
            Ok(_) => Ok(WriteTx { conn: Some(conn) }),
            Err(e) => {
                drop(conn.detach());
                Err(e.into())
            }
        }
    }

    /// Runs one write statement as a transaction of its own: in autocommit, so the statement
    /// and its commit are one call to the driver (an explicit BEGIN … COMMIT would be three,
    /// and on SQLite each is a hand-off to sqlx's worker thread). A failed statement in
    /// autocommit leaves no transaction open (SQLite rolls it back itself, PostgreSQL too),
    /// and its connection is discarded all the same, as [`WriteTx`] does; the answer comes
    /// only once the commit is durable (`synchronous=FULL`).
    pub async fn write_one<'q>(
        &self,
        q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult, StoreError> {
        let mut one = WriteTx { conn: Some(self.pool.acquire().await?) };
        let done = q.execute(&mut *one).await?;
        // Done: the connection goes back to the pool instead of being closed.
        drop(one.conn.take());
        healthy();
        Ok(done)
    }
}

impl WriteTx {
    /// Commits; returns only once the commit is durable. An error means nothing of the
    /// transaction was kept (SQLite) or its fate is unknown to this node (a PostgreSQL
    /// connection lost during COMMIT): either way nothing may be acknowledged, and a retry
    /// with the same idempotency key finds out.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let Some(mut conn) = self.conn.take() else {
            return Err(StoreError::Corrupt("a write transaction was used after it ended".into()));
        };
        match conn.execute("COMMIT").await {
            Ok(_) => {
                healthy();
                Ok(())
            }
            Err(e) => {
                drop(conn.detach());
                Err(e.into())
            }
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the connection (not returning it) rolls back what it held.
            drop(conn.detach());
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.conn {
            Some(c) => c,
            // `conn` is taken only by `commit` (which consumes the value) and by `drop`.
            None => unreachable!("write transaction used after it ended"),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            Some(c) => c,
            None => unreachable!("write transaction used after it ended"),
        }
    }
}

/// `query.write(&db)`: a write statement run as [`Db::write_one`], in a transaction of its
/// own on a connection that is discarded if anything fails.
pub trait WriteQuery<'q> {
    fn write(self, db: &Db) -> impl std::future::Future<Output = Result<sqlx::any::AnyQueryResult, StoreError>> + Send;
}

impl<'q> WriteQuery<'q> for sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    fn write(self, db: &Db) -> impl std::future::Future<Output = Result<sqlx::any::AnyQueryResult, StoreError>> + Send {
        db.write_one(self)
    }
}

impl WriteTx {
    /// Reserves `n` values of counter `name` (in [`crate::CORE`]'s `counters`), returning the
    /// first. Counters only go up, so a serial (and so a number or a code) is never given
    /// twice, even after a failed write.
    pub async fn reserve(&mut self, name: &str, n: u64) -> Result<u64, StoreError> {
        use sqlx::Row as _;
        sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&mut **self)
            .await?;
        let row = sqlx::query("UPDATE counters SET value = value + $1 WHERE name = $2 RETURNING value")
            .bind(n as i64)
            .bind(name)
            .fetch_one(&mut **self)
            .await?;
        let end: i64 = row.try_get(0)?;
        Ok(end as u64 - n)
    }
}
