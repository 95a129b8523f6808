//! J-LIS's tables: the registry's (residents, their events, idempotency keys) and JPKI's
//! (cards, certificates, verifiers, consents). Version 1 of each is what the single list of
//! schemas made as its versions 2 and 3 (`myna_store`'s legacy map).

use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};

use super::registry::layout::{Layout, partition_steps};

pub const REGISTRY: Schema = Schema {
    role: "registry",
    migrations: &[Migration {
        version: 1,
        name: "registry, compact",
        steps: &[
            // `id` is the serial the resident record code was issued from: it grows with every
            // registration, so a bulk load appends. `code` and `number` are the 11 and 12 digits
            // held as integers; `digest` is the lookup key (registry::match_digest).
            "CREATE TABLE residents (
            id {ID},
            code BIGINT NOT NULL,
            number BIGINT NOT NULL,
            name TEXT NOT NULL,
            kana TEXT NOT NULL,
            digest BIGINT NOT NULL,
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
            // `resident` is residents.id. A change event's detail keeps the values it replaced
            // (`from`), so a creating event needs no copy of the record: see history().
            "CREATE TABLE events (
            resident BIGINT NOT NULL,
            version BIGINT NOT NULL,
            kind TEXT NOT NULL,
            effective_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            detail TEXT NOT NULL,
            PRIMARY KEY (resident, version)
        ){WITHOUT_ROWID}",
            "CREATE TABLE idempotency (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            resident TEXT NOT NULL,
            version BIGINT NOT NULL
        )",
        ],
    }],
};

pub const JPKI: Schema = Schema {
    role: "jpki",
    migrations: &[
        Migration {
            version: 1,
            name: "jpki: cards, certificates, verifiers, consents",
            steps: &[
                // A card from application to end. `resident` is the record code (11 digits);
                // `reset_key` is what the municipality releases to reset a locked secret.
                "CREATE TABLE cards (
            number BIGINT PRIMARY KEY,
            resident BIGINT NOT NULL,
            status TEXT NOT NULL,
            applied_at BIGINT NOT NULL,
            status_at BIGINT NOT NULL,
            expires TEXT,
            reset_key TEXT
        )",
                "CREATE INDEX cards_resident ON cards (resident)",
                // Every certificate issued, kept after revocation for CRLs and verifiers' questions.
                "CREATE TABLE certificates (
            serial BIGINT PRIMARY KEY,
            card BIGINT NOT NULL,
            kind TEXT NOT NULL,
            not_after BIGINT NOT NULL,
            revoked_at BIGINT,
            reason TEXT,
            der TEXT NOT NULL
        )",
                "CREATE INDEX certificates_card ON certificates (card)",
                "CREATE INDEX certificates_revoked ON certificates (kind, revoked_at) WHERE revoked_at IS NOT NULL",
                "CREATE TABLE verifiers (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL, registered_at BIGINT NOT NULL)",
                "CREATE TABLE consents (
            verifier TEXT NOT NULL,
            resident BIGINT NOT NULL,
            granted_at BIGINT NOT NULL,
            withdrawn_at BIGINT,
            PRIMARY KEY (verifier, resident)
        )",
            ],
        },
        Migration {
            version: 2,
            name: "who last changed a card's status",
            // A municipality's id, `jlis_hotline:<operator account>`, or `holder`.
            steps: &["ALTER TABLE cards ADD COLUMN status_by TEXT"],
        },
    ],
};

/// The residents' secondary indexes, by layout. Kept apart from the migrations because a bulk
/// load into an empty registry drops them and builds them once at the end (a sort, instead of
/// a random B-tree insert per row); [`ensure_indexes`] runs at every open, so a load killed
/// half way leaves a registry that is fully indexed the next time it is opened.
pub(crate) fn indexes(layout: Layout) -> &'static [(&'static str, &'static str)] {
    match layout {
        Layout::OneTable => &[
            ("residents_code", "CREATE UNIQUE INDEX IF NOT EXISTS residents_code ON residents (code)"),
            ("residents_number", "CREATE UNIQUE INDEX IF NOT EXISTS residents_number ON residents (number)"),
            ("residents_digest", "CREATE INDEX IF NOT EXISTS residents_digest ON residents (digest)"),
            ("residents_household", "CREATE INDEX IF NOT EXISTS residents_household ON residents (household)"),
            (
                "residents_moved_out",
                "CREATE INDEX IF NOT EXISTS residents_moved_out ON residents (status_on) WHERE status = 'moved_out'",
            ),
        ],
        // Each partition is read by code only (the directory gives it); the country-wide
        // uniqueness of codes and numbers is the directory's.
        Layout::ByPrefecture => &[
            ("residents_code", "CREATE UNIQUE INDEX IF NOT EXISTS residents_code ON residents (code, pref)"),
            (
                "residents_moved_out",
                "CREATE INDEX IF NOT EXISTS residents_moved_out ON residents (status_on) WHERE status = 'moved_out'",
            ),
            ("resident_keys_code", "CREATE UNIQUE INDEX IF NOT EXISTS resident_keys_code ON resident_keys (code)"),
            (
                "resident_keys_number",
                "CREATE UNIQUE INDEX IF NOT EXISTS resident_keys_number ON resident_keys (number)",
            ),
            ("resident_keys_digest", "CREATE INDEX IF NOT EXISTS resident_keys_digest ON resident_keys (digest)"),
            (
                "resident_keys_household",
                "CREATE INDEX IF NOT EXISTS resident_keys_household ON resident_keys (household)",
            ),
        ],
    }
}

/// On PostgreSQL, partitions the registry by prefecture (see `registry::layout`) once, in one
/// transaction: a registry of the single table is converted with its rows.
pub(crate) async fn partition(db: &Db) -> Result<(), StoreError> {
    const ROLE: &str = "registry_prefectures";
    if Layout::of(db.backend) != Layout::ByPrefecture
        || sqlx::query("SELECT 1 FROM schema_versions WHERE role = $1")
            .bind(ROLE)
            .fetch_optional(&db.pool)
            .await?
            .is_some()
    {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for step in partition_steps() {
        sqlx::query(&step).execute(&mut *tx).await?;
    }
    sqlx::query("INSERT INTO schema_versions (role, version, name) VALUES ($1, 1, $2)")
        .bind(ROLE)
        .bind("residents partitioned by prefecture, with a key directory")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!("the registry's residents are partitioned by prefecture");
    Ok(())
}

pub(crate) async fn ensure_indexes(db: &Db) -> Result<(), StoreError> {
    let indexes = indexes(Layout::of(db.backend));
    if db.backend == myna_store::Backend::Sqlite {
        // A national registry's index is a sort of a hundred million keys: let it spill to
        // temporary files, not to memory (the connections keep temporary data in memory,
        // for the statement journals of group commits).
        let mut c = db.pool.acquire().await?;
        sqlx::query("PRAGMA temp_store=FILE").execute(&mut *c).await?;
        let mut built = Ok(());
        for (_, sql) in indexes {
            if let Err(e) = sqlx::query(sql).execute(&mut *c).await {
                built = Err(e);
                break;
            }
        }
        sqlx::query("PRAGMA temp_store=MEMORY").execute(&mut *c).await?;
        return Ok(built?);
    }
    for (_, sql) in indexes {
        sqlx::query(sql).write(db).await?;
    }
    Ok(())
}
