//! Hot reads: a query written once, run on SQLite without sqlx's worker thread.
//!
//! Why by hand: sqlx runs each SQLite connection on a thread of its own and hands every
//! statement to it and its rows back through channels. For a point lookup that SQLite answers
//! from its page cache in a few microseconds, the two thread wake-ups cost more than the
//! query (profiles of the eligibility check and the linkage exchange: futex wake-ups and
//! context switches between the runtime and those threads, a sixth of the CPU). A read here
//! runs on the calling thread through a connection of [`DirectReads`] (read-only, WAL, so it
//! never waits for the writer), and is answered before the task yields. PostgreSQL keeps
//! sqlx. Each query starts its own read transaction, so it sees every commit acknowledged
//! before it began, as a read through the pool does.

use std::{
    path::Path,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use rusqlite::{OpenFlags, types::ValueRef};
use sqlx::{Row as _, any::AnyRow};

use crate::{Db, StoreError};

/// A value bound to a query's `$n`.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
    Null,
}

impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Val::Text(v)
    }
}

impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Val::Text(v)
    }
}

impl<'a> From<&'a [u8]> for Val<'a> {
    fn from(v: &'a [u8]) -> Self {
        Val::Blob(v)
    }
}

impl<'a, T: Into<Val<'a>>> From<Option<T>> for Val<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// A row of either back end, read by column index.
pub enum Row<'r, 's> {
    Any(&'r AnyRow),
    Lite(&'r rusqlite::Row<'s>),
}

impl Row<'_, '_> {
    pub fn get<T: Column>(&self, i: usize) -> Result<T, StoreError> {
        match self {
            Row::Any(r) => T::from_any(r, i),
            Row::Lite(r) => T::from_value(r.get_ref(i).map_err(|e| lite(&e))?, i),
        }
    }
}

/// A column type both back ends read the same way.
pub trait Column: Sized {
    fn from_any(r: &AnyRow, i: usize) -> Result<Self, StoreError>;
    fn from_value(v: ValueRef<'_>, i: usize) -> Result<Self, StoreError>;
}

fn wrong(i: usize, want: &str, v: ValueRef<'_>) -> StoreError {
    StoreError::Corrupt(format!("column {i}: expected {want}, found {}", v.data_type()))
}

impl Column for i64 {
    fn from_any(r: &AnyRow, i: usize) -> Result<Self, StoreError> {
        Ok(r.try_get(i)?)
    }
    fn from_value(v: ValueRef<'_>, i: usize) -> Result<Self, StoreError> {
        v.as_i64().map_err(|_| wrong(i, "an integer", v))
    }
}

impl Column for String {
    fn from_any(r: &AnyRow, i: usize) -> Result<Self, StoreError> {
        Ok(r.try_get(i)?)
    }
    fn from_value(v: ValueRef<'_>, i: usize) -> Result<Self, StoreError> {
        v.as_str().map(str::to_string).map_err(|_| wrong(i, "text", v))
    }
}

impl Column for Vec<u8> {
    fn from_any(r: &AnyRow, i: usize) -> Result<Self, StoreError> {
        Ok(r.try_get(i)?)
    }
    fn from_value(v: ValueRef<'_>, i: usize) -> Result<Self, StoreError> {
        v.as_blob().map(<[u8]>::to_vec).map_err(|_| wrong(i, "bytes", v))
    }
}

impl<T: Column> Column for Option<T> {
    fn from_any(r: &AnyRow, i: usize) -> Result<Self, StoreError> {
        // sqlx's Any decodes NULL into an Option only through the inner type's decoder, so
        // the NULL test comes first, by the raw value.
        use sqlx::ValueRef as _;
        if r.try_get_raw(i)?.is_null() { Ok(None) } else { T::from_any(r, i).map(Some) }
    }
    fn from_value(v: ValueRef<'_>, i: usize) -> Result<Self, StoreError> {
        if matches!(v, ValueRef::Null) { Ok(None) } else { T::from_value(v, i).map(Some) }
    }
}

fn lite(e: &rusqlite::Error) -> StoreError {
    StoreError::Corrupt(format!("sqlite read: {e}"))
}

/// `$n` placeholders as SQLite's numbered `?n`, so a parameter used twice is bound once.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Read-only SQLite connections used from the caller's thread. A read takes the first one
/// free; there are as many as the runtime has worker threads, so one is nearly always free,
/// and a read holds it only for the statement's few microseconds.
pub struct DirectReads {
    conns: Vec<Mutex<rusqlite::Connection>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads").field("connections", &self.conns.len()).finish()
    }
}

impl DirectReads {
    pub(crate) fn open(path: &Path, n: usize) -> Result<Self, StoreError> {
        let mut conns = Vec::with_capacity(n);
        for _ in 0..n.max(1) {
            let c = rusqlite::Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| lite(&e))?;
            // A reader's page cache: smaller than the writer's, since several hold copies.
            c.execute_batch("PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;").map_err(|e| lite(&e))?;
            c.set_prepared_statement_cache_capacity(64);
            conns.push(Mutex::new(c));
        }
        Ok(Self { conns, next: AtomicUsize::new(0) })
    }

    fn run<T>(
        &self,
        sql: &str,
        params: &[Val<'_>],
        mut map: impl FnMut(&Row<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.conns.len();
        let guard = (0..n)
            .find_map(|k| self.conns[(start + k) % n].try_lock().ok())
            .map_or_else(|| self.conns[start % n].lock(), Ok)
            .map_err(|_| StoreError::Corrupt("a read connection was poisoned by a panic".into()))?;
        let mut stmt = guard.prepare_cached(&numbered(sql)).map_err(|e| lite(&e))?;
        for (k, p) in params.iter().enumerate() {
            let r = match *p {
                Val::Int(v) => stmt.raw_bind_parameter(k + 1, v),
                Val::Text(v) => stmt.raw_bind_parameter(k + 1, v),
                Val::Blob(v) => stmt.raw_bind_parameter(k + 1, v),
                Val::Null => stmt.raw_bind_parameter(k + 1, rusqlite::types::Null),
            };
            r.map_err(|e| lite(&e))?;
        }
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| lite(&e))? {
            out.push(map(&Row::Lite(r))?);
        }
        Ok(out)
    }
}

impl Db {
    /// The rows of `sql` (with `$1`, `$2` … bound to `params`), each mapped by `map`: on
    /// SQLite on the calling thread ([`DirectReads`]), on PostgreSQL through the pool. For the
    /// hot reads of a request; anything that writes goes through [`crate::WriteQuery`].
    pub async fn read<T>(
        &self,
        sql: &str,
        params: &[Val<'_>],
        mut map: impl FnMut(&Row<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        if let Some(direct) = &self.direct {
            return direct.run(sql, params, map);
        }
        let mut q = sqlx::query(sql);
        for p in params {
            q = match *p {
                Val::Int(v) => q.bind(v),
                Val::Text(v) => q.bind(v.to_string()),
                Val::Blob(v) => q.bind(v.to_vec()),
                Val::Null => q.bind(None::<String>),
            };
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| map(&Row::Any(r))).collect()
    }

    /// The first row of [`Db::read`], if any.
    pub async fn read_one<T>(
        &self,
        sql: &str,
        params: &[Val<'_>],
        map: impl FnMut(&Row<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.read(sql, params, map).await?.into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn dollar_placeholders_become_numbered_question_marks() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = $1 OR c = $1 AND d = $12"),
            "SELECT a FROM t WHERE b = ?1 OR c = ?1 AND d = ?12"
        );
        assert_eq!(numbered("SELECT '$' || a FROM t"), "SELECT '$' || a FROM t");
    }
}
