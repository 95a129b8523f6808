//! Helpers for tests that need real databases (and, as the project grows, real nodes).
//!
//! Every store test runs against SQLite and, when `MYNA_TEST_PG_URL` names a PostgreSQL
//! server (the test script starts one), against a fresh PostgreSQL database too.
//!
//! Only tests use this crate, so failing loudly is how it reports.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use myna_store::Db;
use sqlx::{Executor, any::AnyPoolOptions};

pub mod card;
mod walk;
pub use walk::walk;
mod disk;
pub use disk::SmallDisk;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A new, empty SQLite file under the system's temp directory.
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("myna-tests");
    let _ = std::fs::create_dir_all(&dir);
    format!("sqlite://{}", dir.join(format!("{}.db", unique("t"))).display())
}

/// A new, empty PostgreSQL database, when a server is configured.
pub async fn postgres_url() -> Option<String> {
    let admin = std::env::var("MYNA_TEST_PG_URL").ok().filter(|s| !s.is_empty())?;
    postgres_url_on(&admin).await
}

/// A new, empty database on the PostgreSQL server at `admin` (a URL of any database there).
pub async fn postgres_url_on(admin: &str) -> Option<String> {
    let admin = admin.to_string();
    sqlx::any::install_default_drivers();
    let name = unique("myna");
    // Tests run in parallel, and a busy server can refuse or time out a connection now and
    // then: try a few times, and say why when it still fails. `template0` takes no
    // connections, so concurrent CREATE DATABASE never meets "template1 is being accessed".
    let mut last = String::new();
    let mut created = false;
    for attempt in 0..8u64 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
        }
        let pool = match AnyPoolOptions::new().max_connections(1).connect(&admin).await {
            Ok(p) => p,
            Err(e) => {
                last = format!("connecting to {admin}: {e}");
                continue;
            }
        };
        let res = pool.execute(format!("CREATE DATABASE {name} TEMPLATE template0").as_str()).await;
        pool.close().await;
        match res {
            Ok(_) => {
                created = true;
                break;
            }
            Err(e) => last = format!("CREATE DATABASE {name}: {e}"),
        }
    }
    if !created {
        eprintln!("testkit: no PostgreSQL database after 8 tries: {last}");
        return None;
    }
    // Replace the database part of the admin URL.
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string())?;
    let query = admin.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    Some(format!("{base}/{name}{query}"))
}

/// URLs of fresh databases for every configured back end: SQLite always, PostgreSQL when
/// `MYNA_TEST_PG_URL` is set. With `MYNA_REQUIRE_PG=1` a missing server is an error, so CI
/// cannot pass by silently skipping PostgreSQL.
pub async fn fresh_urls() -> Vec<String> {
    let mut v = vec![sqlite_url()];
    match postgres_url().await {
        Some(u) => v.push(u),
        None => {
            assert!(
                std::env::var("MYNA_REQUIRE_PG").is_err(),
                "MYNA_REQUIRE_PG is set but no PostgreSQL database could be created from MYNA_TEST_PG_URL"
            );
        }
    }
    v
}

/// Opened fresh databases for every configured back end.
pub async fn fresh_dbs() -> Result<Vec<Db>, myna_store::StoreError> {
    let mut out = Vec::new();
    for url in fresh_urls().await {
        out.push(Db::open(&url).await?);
    }
    Ok(out)
}

/// The first of `n` consecutive loopback ports free now, chosen below Linux's ephemeral range
/// (32768–60999): a port the kernel hands out (bind to 0) is also where other tests' outgoing
/// connections come from, so a node started on it later can find it taken.
pub fn free_ports(n: u16) -> u16 {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut p = 20_000 + ((seed ^ std::process::id().wrapping_mul(2_654_435_761)) % 12_000) as u16;
    loop {
        if p + n > 32_000 {
            p = 20_000;
        }
        if (0..n).all(|i| std::net::TcpListener::bind(("127.0.0.1", p + i)).is_ok()) {
            return p;
        }
        p += n;
    }
}
