//! J-LIS's tables: the registry's (residents, their events, idempotency keys) and JPKI's
//! (cards, certificates, verifiers, consents). Version 1 of each is what the single list of
//! schemas made as its versions 2 and 3 (`myna_store`'s legacy map).

use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};

pub const REGISTRY: Schema = Schema { role: "registry", migrations: &[REGISTRY_1, REGISTRY_2] };

const REGISTRY_1: Migration = Migration {
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
};

/// On PostgreSQL the residents are partitioned by prefecture (the first two digits of the
/// local government code; DESIGN.md's unit of the registry's scale-out): a prefecture's load
/// writes only its partition and its indexes, a move across prefectures moves the row, and
/// lookups still answer across the country. PostgreSQL keeps no unique index across
/// partitions, so the numbers, codes and ids are kept unique in `resident_keys`, written beside
/// every new resident in the same transaction (not by a trigger: a move across prefectures
/// re-inserts the row into its new partition). SQLite keeps one table.
const REGISTRY_2: Migration = Migration {
    version: 2,
    name: "residents partitioned by prefecture (PostgreSQL)",
    steps: &[
        "{POSTGRES}ALTER TABLE residents RENAME TO residents_flat",
        "{POSTGRES}CREATE TABLE residents (
            id BIGINT NOT NULL,
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
        ) PARTITION BY LIST (substr(lg_code, 1, 2))",
        "{POSTGRES}DO $$ BEGIN FOR p IN 1..47 LOOP
            EXECUTE format('CREATE TABLE residents_%s PARTITION OF residents FOR VALUES IN (%L)',
                lpad(p::text, 2, '0'), lpad(p::text, 2, '0'));
        END LOOP; END $$",
        // A code of no prefecture (none is issued; the registry refuses such an address) would
        // still be stored, not refused by the layout.
        "{POSTGRES}CREATE TABLE residents_elsewhere PARTITION OF residents DEFAULT",
        "{POSTGRES}CREATE TABLE resident_keys (id BIGINT NOT NULL, number BIGINT NOT NULL, code BIGINT NOT NULL)",
        "{POSTGRES}INSERT INTO residents SELECT id, code, number, name, kana, digest, birth, sex, address, lg_code,
            household, relationship, status, status_on, moved_to, version FROM residents_flat",
        "{POSTGRES}INSERT INTO resident_keys (id, number, code) SELECT id, number, code FROM residents_flat",
        "{POSTGRES}DROP TABLE residents_flat",
    ],
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
pub(crate) fn indexes(backend: myna_store::Backend) -> &'static [(&'static str, &'static str)] {
    match backend {
        myna_store::Backend::Sqlite => INDEXES,
        myna_store::Backend::Postgres => PARTITIONED_INDEXES,
    }
}

const INDEXES: &[(&str, &str)] = &[
    ("residents_code", "CREATE UNIQUE INDEX IF NOT EXISTS residents_code ON residents (code)"),
    ("residents_number", "CREATE UNIQUE INDEX IF NOT EXISTS residents_number ON residents (number)"),
    ("residents_digest", "CREATE INDEX IF NOT EXISTS residents_digest ON residents (digest)"),
    ("residents_household", "CREATE INDEX IF NOT EXISTS residents_household ON residents (household)"),
    (
        "residents_moved_out",
        "CREATE INDEX IF NOT EXISTS residents_moved_out ON residents (status_on) WHERE status = 'moved_out'",
    ),
];

/// PostgreSQL's: each index built on every partition; uniqueness kept by `resident_keys`.
const PARTITIONED_INDEXES: &[(&str, &str)] = &[
    ("resident_keys_id", "CREATE UNIQUE INDEX IF NOT EXISTS resident_keys_id ON resident_keys (id)"),
    ("resident_keys_number", "CREATE UNIQUE INDEX IF NOT EXISTS resident_keys_number ON resident_keys (number)"),
    ("resident_keys_code", "CREATE UNIQUE INDEX IF NOT EXISTS resident_keys_code ON resident_keys (code)"),
    ("residents_id", "CREATE INDEX IF NOT EXISTS residents_id ON residents (id)"),
    ("residents_code", "CREATE INDEX IF NOT EXISTS residents_code ON residents (code)"),
    ("residents_number", "CREATE INDEX IF NOT EXISTS residents_number ON residents (number)"),
    ("residents_digest", "CREATE INDEX IF NOT EXISTS residents_digest ON residents (digest)"),
    ("residents_household", "CREATE INDEX IF NOT EXISTS residents_household ON residents (household)"),
    (
        "residents_moved_out",
        "CREATE INDEX IF NOT EXISTS residents_moved_out ON residents (status_on) WHERE status = 'moved_out'",
    ),
];

/// On PostgreSQL, new residents' keys `(id, code, number)` into `resident_keys`, which keeps
/// them unique across the partitions; nothing on SQLite, whose indexes on `residents` do.
pub(crate) async fn keep_keys(
    conn: &mut sqlx::AnyConnection,
    backend: myna_store::Backend,
    keys: &[(i64, i64, i64)],
) -> Result<(), sqlx::Error> {
    if backend == myna_store::Backend::Sqlite || keys.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO resident_keys (id, code, number) VALUES {}",
        super::rows::placeholders(backend, keys.len(), 3)
    );
    let mut q = sqlx::query(&sql);
    for (id, code, number) in keys {
        q = q.bind(*id).bind(*code).bind(*number);
    }
    q.execute(conn).await?;
    Ok(())
}

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
    for (_, sql) in PARTITIONED_INDEXES {
        sqlx::query(sql).write(db).await?;
    }
    Ok(())
}
