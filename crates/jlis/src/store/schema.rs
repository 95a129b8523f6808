//! J-LIS's tables: the registry's (residents, their events, idempotency keys) and JPKI's
//! (cards, certificates, verifiers, consents). Version 1 of each is what the single list of
//! schemas made as its versions 2 and 3 (`myna_store`'s legacy map).

use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};

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

/// The residents' secondary indexes. Kept apart from the migrations because a bulk load into
/// an empty registry drops them and builds them once at the end (a sort, instead of a random
/// B-tree insert per row); [`ensure_indexes`] runs at every open, so a load killed half way
/// leaves a registry that is fully indexed the next time it is opened.
pub(crate) const INDEXES: &[(&str, &str)] = &[
    ("residents_code", "CREATE UNIQUE INDEX IF NOT EXISTS residents_code ON residents (code)"),
    ("residents_number", "CREATE UNIQUE INDEX IF NOT EXISTS residents_number ON residents (number)"),
    ("residents_digest", "CREATE INDEX IF NOT EXISTS residents_digest ON residents (digest)"),
    ("residents_household", "CREATE INDEX IF NOT EXISTS residents_household ON residents (household)"),
    (
        "residents_moved_out",
        "CREATE INDEX IF NOT EXISTS residents_moved_out ON residents (status_on) WHERE status = 'moved_out'",
    ),
];

pub(crate) async fn ensure_indexes(db: &Db) -> Result<(), StoreError> {
    if db.backend == myna_store::Backend::Sqlite {
        // A national registry's index is a sort of a hundred million keys: let it spill to
        // temporary files, not to memory (the connections keep temporary data in memory,
        // for the statement journals of group commits).
        let mut c = db.pool.acquire().await?;
        sqlx::query("PRAGMA temp_store=FILE").execute(&mut *c).await?;
        let mut built = Ok(());
        for (_, sql) in INDEXES {
            if let Err(e) = sqlx::query(sql).execute(&mut *c).await {
                built = Err(e);
                break;
            }
        }
        sqlx::query("PRAGMA temp_store=MEMORY").execute(&mut *c).await?;
        return Ok(built?);
    }
    for (_, sql) in INDEXES {
        sqlx::query(sql).write(db).await?;
    }
    Ok(())
}
