//! Write transactions given as a list of statements: on SQLite committed by a thread of the
//! database's own, on PostgreSQL through [`Db::begin`].
//!
//! Why by hand: sqlx hands every statement of a transaction (BEGIN, each INSERT, COMMIT) to
//! the connection's worker thread and its answer back, two thread wake-ups each. The group
//! commits of an exchange's three logs paid a dozen of those per group, and the profile of
//! the linkage exchange showed sqlx's SQLite threads at a fifth of the CPU, most of it
//! futex wake-ups and context switches rather than SQLite. Here a whole transaction is one
//! hand-off: the writer thread runs `BEGIN IMMEDIATE` … `COMMIT` (synchronous=FULL) and
//! answers once it is durable.
//!
//! Issue 13's rule holds: any way out other than a successful COMMIT closes the writer's
//! connection (which rolls back whatever it held) and the next transaction opens a new one,
//! so no connection is ever left inside a transaction that never ends.

use std::{path::PathBuf, sync::mpsc};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use crate::{Db, StoreError, read::numbered, write};

/// A value bound to a statement of a [`Batch`], owned so the batch can go to another thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_owned())
    }
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}

impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Param::Text(v.clone())
    }
}

impl From<Vec<u8>> for Param {
    fn from(v: Vec<u8>) -> Self {
        Param::Blob(v)
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null, Into::into)
    }
}

/// The statements of one write transaction, in order. Placeholders are `$n`, or the
/// anonymous `?` of [`Db::insert_rows`] on SQLite; values are bound in order.
#[derive(Debug, Default)]
pub struct Batch {
    stmts: Vec<(String, Vec<Param>)>,
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, sql: impl Into<String>, params: Vec<Param>) {
        self.stmts.push((sql.into(), params));
    }

    pub fn is_empty(&self) -> bool {
        self.stmts.is_empty()
    }
}

type Job = (Batch, oneshot::Sender<Result<(), StoreError>>);

/// The thread that commits a SQLite database's batches, one transaction at a time. It ends
/// when the last [`Db`] holding it is dropped.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    pub(crate) fn start(path: PathBuf) -> Result<Self, StoreError> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let mut conn: Option<Connection> = None;
                while let Ok((batch, done)) = rx.recv() {
                    let r = commit(&mut conn, &path, &batch);
                    if r.is_err() {
                        // Closing the connection rolls back what it held (issue 13).
                        conn = None;
                    }
                    let _ = done.send(r);
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the database's writer thread: {e}")))?;
        Ok(Self { jobs })
    }
}

fn open(path: &std::path::Path) -> Result<Connection, StoreError> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(write::lite)?;
    // The settings of the pool's connections (db.rs says why each).
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; \
         PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;",
    )
    .map_err(write::lite)?;
    c.set_prepared_statement_cache_capacity(64);
    Ok(c)
}

fn commit(conn: &mut Option<Connection>, path: &std::path::Path, batch: &Batch) -> Result<(), StoreError> {
    let c = match conn {
        Some(c) => c,
        None => conn.insert(open(path)?),
    };
    c.execute_batch("BEGIN IMMEDIATE").map_err(write::lite)?;
    for (sql, params) in &batch.stmts {
        let mut stmt = c.prepare_cached(&numbered(sql)).map_err(write::lite)?;
        for (k, p) in params.iter().enumerate() {
            match p {
                Param::Int(v) => stmt.raw_bind_parameter(k + 1, v),
                Param::Text(v) => stmt.raw_bind_parameter(k + 1, v),
                Param::Blob(v) => stmt.raw_bind_parameter(k + 1, v),
                Param::Null => stmt.raw_bind_parameter(k + 1, rusqlite::types::Null),
            }
            .map_err(write::lite)?;
        }
        stmt.raw_execute().map_err(write::lite)?;
    }
    c.execute_batch("COMMIT").map_err(write::lite)?;
    write::healthy();
    Ok(())
}

impl Db {
    /// Runs `batch` as one transaction and returns once it is durable; an error means none
    /// of it was kept. An empty batch commits nothing.
    pub async fn write_batch(&self, batch: Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        if let Some(w) = &self.writer {
            let (done, wait) = oneshot::channel();
            w.jobs.send((batch, done)).map_err(|_| StoreError::Corrupt("the database's writer has stopped".into()))?;
            return wait.await.map_err(|_| StoreError::Corrupt("the database's writer has stopped".into()))?;
        }
        let mut tx = self.begin().await?;
        for (sql, params) in batch.stmts {
            let mut q = sqlx::query(&sql);
            for p in params {
                q = match p {
                    Param::Int(v) => q.bind(v),
                    Param::Text(v) => q.bind(v),
                    Param::Blob(v) => q.bind(v),
                    Param::Null => q.bind(None::<String>),
                };
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }
}
