//! Opening a database by URL, with the settings that make writes durable.

use crate::write::WriteQuery as _;
use sqlx::{
    AnyPool, Connection, Executor, Row,
    any::{AnyPoolOptions, AnyRow, install_default_drivers},
};

use std::sync::Arc;
use std::time::Duration;

use crate::{StoreError, batch::Writer, migrate, read::DirectReads};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A node's database.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// On SQLite, connections for [`Db::read`] on the caller's thread.
    pub(crate) direct: Option<Arc<DirectReads>>,
    /// On SQLite, the thread that commits [`crate::Batch`]es.
    pub(crate) writer: Option<Arc<Writer>>,
}

impl Db {
    /// `head` (`INSERT INTO t (a, b) VALUES`) followed by `rows` groups of `cols` placeholders,
    /// in the form this back end binds fastest: anonymous `?` on SQLite, where sqlx resolves
    /// every named parameter (`$n`) by SQLite's linear scan of the names, so binding a
    /// statement of a thousand of them costs a million comparisons (a fifth of the hub log's
    /// CPU in a profile); numbered `$n` on PostgreSQL, which has no other form. The values are
    /// bound in order, row by row.
    pub fn insert_rows(&self, head: &str, rows: usize, cols: usize) -> String {
        let mut sql = String::with_capacity(head.len() + 1 + rows * cols * 5);
        sql.push_str(head);
        sql.push(' ');
        let mut n = 0;
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ",(" });
            for c in 0..cols {
                if c > 0 {
                    sql.push(',');
                }
                match self.backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => {
                        n += 1;
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                }
            }
            sql.push(')');
        }
        sql
    }

    /// `n` placeholders separated by commas, for `IN (…)`, in the form this back end binds
    /// fastest (see [`Db::insert_rows`]).
    pub fn placeholders(&self, n: usize) -> String {
        match self.backend {
            Backend::Sqlite => vec!["?"; n].join(","),
            Backend::Postgres => (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(","),
        }
    }

    /// The rows of `select` (which ends in `IN`) for all of `keys`, one query per 500 keys:
    /// the lookups of a batch without a round trip each.
    pub async fn fetch_in<T>(&self, select: &str, keys: &[T]) -> Result<Vec<AnyRow>, StoreError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Clone + Send,
    {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(500) {
            let sql = format!("{select} ({})", self.placeholders(chunk.len()));
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k.clone());
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    /// Opens (creating if needed) and migrates the database at `url`: `sqlite://PATH`
    /// (or a bare path) or `postgres://…`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let mut file = None;
        let (url, backend) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (url.to_string(), Backend::Postgres)
        } else if let Some(path) = url.strip_prefix("sqlite://").or(Some(url)).filter(|p| !p.contains("://")) {
            file = Some(std::path::PathBuf::from(path));
            (format!("sqlite://{path}?mode=rwc"), Backend::Sqlite)
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        let not_writable = |e: StoreError| match e.storage() {
            Some(c) => StoreError::NotWritable(c.as_str(), e.to_string()),
            None => e,
        };
        if backend == Backend::Sqlite {
            // One connection by hand first: the pool retries a failing connect until its
            // timeout and then says only "pool timed out", hiding why (a read-only mount).
            let first = async {
                let mut c = sqlx::AnyConnection::connect(&url).await?;
                c.execute("PRAGMA journal_mode=WAL").await?;
                c.close().await
            };
            first.await.map_err(|e| not_writable(e.into()))?;
        }
        let opts = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 4 } else { 8 });
        // A server that cannot be reached (a proxy down, a network cut) is said within 5 s,
        // not after sqlx's 30 s of retried connects: callers wait 10 s for an answer.
        let opts = if backend == Backend::Sqlite { opts } else { opts.acquire_timeout(Duration::from_secs(5)) };
        let opts = if backend == Backend::Sqlite {
            opts.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; FULL syncs the WAL on every
                    // commit, so an acknowledged write survives a crash or power loss.
                    conn.execute("PRAGMA journal_mode=WAL").await?;
                    conn.execute("PRAGMA synchronous=FULL").await?;
                    conn.execute("PRAGMA busy_timeout=10000").await?;
                    conn.execute("PRAGMA foreign_keys=ON").await?;
                    // Indexes on random keys (numbers, codes) touch pages all over the file;
                    // a 256 MiB page cache keeps them in memory instead of the 2 MiB default.
                    conn.execute("PRAGMA cache_size=-262144").await?;
                    // A statement inside a transaction keeps a journal of the pages it changes,
                    // to undo only itself on a constraint failure; in a temporary file that is
                    // a write for every page a group's INSERT touches (18 % of the hub log's
                    // CPU in a profile). In memory it undoes the same; durability is the WAL's.
                    conn.execute("PRAGMA temp_store=MEMORY").await?;
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts.connect(&url).await?;
        let mut db = Db { pool, backend, direct: None, writer: None };
        migrate::run(&db).await.map_err(not_writable)?;
        if let Some(file) = file {
            // One reader per core the runtime may run a request on, opened once the schema
            // exists (a read-only connection cannot create the file).
            let n = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
            db.direct = Some(Arc::new(DirectReads::open(&file, n)?));
            db.writer = Some(Arc::new(Writer::start(file)?));
        }
        // A node must not start on storage it cannot write (it would answer "ok" and then
        // refuse every write): one real write transaction, told apart by its condition.
        let probe = sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('opened_at', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(time::OffsetDateTime::now_utc().unix_timestamp().to_string());
        db.write_one(probe).await.map_err(not_writable)?;
        Ok(db)
    }
}

impl Db {
    /// A value kept in `meta` (a node's keys), or `init()` stored on first use. Two nodes
    /// racing on first start both end up with the first value written.
    pub async fn meta_or_init(
        &self,
        key: &str,
        init: impl FnOnce() -> Result<String, StoreError>,
    ) -> Result<String, StoreError> {
        let get = || sqlx::query("SELECT value FROM meta WHERE key = $1").bind(key);
        if let Some(r) = get().fetch_optional(&self.pool).await? {
            return Ok(r.try_get(0)?);
        }
        let value = init()?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(&value)
            .write(self)
            .await?;
        Ok(get().fetch_one(&self.pool).await?.try_get(0)?)
    }

    /// A random 32-byte secret kept in `meta` under `key` (a node's own keys), made on first
    /// use from the operating system's random source.
    pub async fn secret_or_init(&self, key: &str) -> Result<[u8; 32], StoreError> {
        let hex_key = self
            .meta_or_init(key, || {
                let mut k = [0u8; 32];
                aws_lc_rs::rand::fill(&mut k).map_err(|_| StoreError::Corrupt("no random source".into()))?;
                Ok(hex::encode(k))
            })
            .await?;
        let mut k = [0u8; 32];
        hex::decode_to_slice(hex_key.trim(), &mut k).map_err(|e| StoreError::Corrupt(format!("meta {key}: {e}")))?;
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn multi_row_inserts_use_each_back_ends_placeholders_and_bind_in_order() {
        let dir = std::env::temp_dir().join(format!("myna-store-rows-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let db = Db::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
        assert_eq!(db.insert_rows("INSERT INTO t (a, b) VALUES", 2, 2), "INSERT INTO t (a, b) VALUES (?,?),(?,?)");
        let pg = Db { pool: db.pool.clone(), backend: Backend::Postgres, direct: None, writer: None };
        assert_eq!(pg.insert_rows("INSERT INTO t (a, b) VALUES", 2, 2), "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)");
        sqlx::query("CREATE TABLE t (a BIGINT, b TEXT)").execute(&db.pool).await.unwrap();
        let sql = db.insert_rows("INSERT INTO t (a, b) VALUES", 3, 2);
        let mut q = sqlx::query(&sql);
        for i in 0..3i64 {
            q = q.bind(i).bind(format!("v{i}"));
        }
        q.execute(&db.pool).await.unwrap();
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT a, b FROM t ORDER BY a").fetch_all(&db.pool).await.unwrap();
        assert_eq!(rows, [(0, "v0".into()), (1, "v1".into()), (2, "v2".into())]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
