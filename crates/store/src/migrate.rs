//! Schema migrations, one list for both back ends (the SQL is portable: TEXT and BIGINT,
//! no auto-increment, ids assigned by the store).

use sqlx::Row;

use crate::{Db, StoreError};

const MIGRATIONS: &[(i64, &str, &[&str])] = &[(
    1,
    "registry",
    &[
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
        "CREATE TABLE residents (
            code TEXT PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            kana TEXT NOT NULL,
            name_key TEXT NOT NULL,
            birth TEXT NOT NULL,
            sex TEXT,
            address TEXT NOT NULL,
            lg_code TEXT NOT NULL,
            household BIGINT NOT NULL,
            relationship TEXT NOT NULL,
            status TEXT NOT NULL,
            status_on TEXT,
            moved_to TEXT,
            version BIGINT NOT NULL
        )",
        "CREATE INDEX residents_lookup ON residents (name_key, birth)",
        "CREATE INDEX residents_household ON residents (household)",
        "CREATE TABLE events (
            resident TEXT NOT NULL,
            version BIGINT NOT NULL,
            kind TEXT NOT NULL,
            effective_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            detail TEXT NOT NULL,
            PRIMARY KEY (resident, version)
        )",
        "CREATE TABLE idempotency (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            resident TEXT NOT NULL,
            version BIGINT NOT NULL
        )",
    ],
)];

pub(crate) async fn run(db: &Db) -> Result<(), StoreError> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)")
        .execute(&db.pool)
        .await?;
    let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()?;
    for (version, name, steps) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        let mut tx = db.pool.begin().await?;
        for step in *steps {
            sqlx::query(step).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(*version)
            .bind(*name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}
