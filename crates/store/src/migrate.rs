//! Schema migrations, one list for both back ends. The SQL is portable (TEXT and BIGINT) but
//! for two words each back end spells its own way: `{ID}` (the integer key, given the next
//! value when a row is inserted without one; on SQLite the rowid itself, so rows cost no
//! separate key; on PostgreSQL an identity column) and
//! `{WITHOUT_ROWID}` (SQLite stores a table keyed by its primary key with no hidden rowid).

use crate::write::WriteQuery as _;
use sqlx::Row;

use crate::{Backend, Db, StoreError};

/// Schema 1, written by development builds before the compact layout, is not migrated: no
/// release ever wrote it. Such a database is refused with what to do instead.
const RETIRED: &[i64] = &[1];

const MIGRATIONS: &[(i64, &str, &[&str])] = &[
    (
        2,
        "registry, compact",
        &[
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
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
    ),
    (
        3,
        "jpki: cards, certificates, verifiers, consents",
        &[
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
    ),
    (
        4,
        "linkage: the hub's directory and exchange log; an agency's people, copies and exchanges",
        &[
            // The hub's directory: where each agency's node is and its public encryption key. The
            // agency's id and signing key come from its certificate, not from here.
            "CREATE TABLE hub_agencies (id TEXT PRIMARY KEY, url TEXT NOT NULL, seal_key TEXT NOT NULL, name TEXT NOT NULL, updated_at BIGINT NOT NULL)",
            // One row per leaf of the transparency log, in order. `entry` is the leaf's exact
            // bytes (JSON); it and `subject` are cleared after the retention period, `leaf` (the
            // leaf hash) stays so every proof still holds.
            "CREATE TABLE hub_log (
            idx {ID},
            at BIGINT NOT NULL,
            requester TEXT NOT NULL,
            message TEXT NOT NULL,
            subject TEXT,
            leaf TEXT NOT NULL,
            entry TEXT
        )",
            "CREATE UNIQUE INDEX hub_log_message ON hub_log (requester, message)",
            "CREATE INDEX hub_log_subject ON hub_log (subject) WHERE subject IS NOT NULL",
            "CREATE INDEX hub_log_at ON hub_log (at) WHERE entry IS NOT NULL",
            "CREATE TABLE hub_heads (size BIGINT PRIMARY KEY, root TEXT NOT NULL, at BIGINT NOT NULL, signed TEXT NOT NULL)",
            // An agency's people: its own reference for each (宛名番号 and the like) and the
            // agency code obtained once through J-LIS (符号取得).
            "CREATE TABLE agency_people (person TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, enrolled_at BIGINT NOT NULL)",
            // The copies (副本) the agency may provide, keyed by its code, in a layout version.
            "CREATE TABLE agency_copies (
            code TEXT NOT NULL,
            item TEXT NOT NULL,
            version TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (code, item)
        )",
            // The agency's own record of what it asked and answered (情報提供等記録).
            "CREATE TABLE agency_exchanges (
            message TEXT NOT NULL,
            role TEXT NOT NULL,
            peer TEXT NOT NULL,
            task TEXT NOT NULL,
            item TEXT NOT NULL,
            code TEXT NOT NULL,
            outcome TEXT NOT NULL,
            record BIGINT,
            at BIGINT NOT NULL,
            PRIMARY KEY (message, role)
        )",
        ],
    ),
    (
        5,
        "portal",
        &[
            // The portal knows a resident by its own linkage code (符号), obtained once through
            // J-LIS from the login certificate; a new card maps to the same code.
            "CREATE TABLE portal_people (pseudonym TEXT PRIMARY KEY, code TEXT NOT NULL, first_seen BIGINT NOT NULL)",
            "CREATE INDEX portal_people_code ON portal_people (code)",
            // Notices (お知らせ) sent by agencies through the hub; `message` is the sender's
            // message id, so a resend stores nothing twice. Shown once `deliver_at` has passed.
            "CREATE TABLE portal_notices (
            id {ID},
            code TEXT NOT NULL,
            sender TEXT NOT NULL,
            message TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            deliver_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            read_at BIGINT
        )",
            "CREATE INDEX portal_notices_code ON portal_notices (code, deliver_at)",
            // Applications (ぴったりサービス): the signed bytes, the signature and certificate as
            // sent, and the status the municipality sets. `idem` makes a resubmission harmless.
            "CREATE TABLE portal_applications (
            receipt TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            municipality TEXT NOT NULL,
            procedure_id TEXT NOT NULL,
            document TEXT NOT NULL,
            signature TEXT,
            certificate TEXT,
            status TEXT NOT NULL,
            note TEXT NOT NULL,
            submitted_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            idem TEXT NOT NULL UNIQUE
        )",
            "CREATE INDEX portal_applications_code ON portal_applications (code, submitted_at)",
            "CREATE INDEX portal_applications_municipality ON portal_applications (municipality, submitted_at)",
            // Municipal clerks who read applications; passwords as Argon2id PHC strings.
            "CREATE TABLE portal_clerks (municipality TEXT NOT NULL, login TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (municipality, login))",
            // OAuth clients of the self-information API (自己情報取得API) and what residents allowed.
            "CREATE TABLE portal_clients (id TEXT PRIMARY KEY, name TEXT NOT NULL, redirect_uris TEXT NOT NULL, scopes TEXT NOT NULL, purpose TEXT NOT NULL, secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE TABLE portal_grants (code TEXT NOT NULL, client TEXT NOT NULL, scopes TEXT NOT NULL, granted_at BIGINT NOT NULL, revoked_at BIGINT, PRIMARY KEY (code, client))",
            // Tree heads of the hub's log the portal has checked, for consistency with the next.
            "CREATE TABLE portal_heads (size BIGINT PRIMARY KEY, root TEXT NOT NULL, at BIGINT NOT NULL, checked_at BIGINT NOT NULL)",
        ],
    ),
    (
        6,
        "health",
        &[
            // Eligibility as insurers push it, by the health node's code; `card` is
            // insurer|symbol|number|branch for queries without a card and for matching claims.
            // `message` is the push's id, so a resend stores nothing twice.
            "CREATE TABLE health_eligibility (
            id {ID},
            code TEXT NOT NULL,
            card TEXT NOT NULL,
            insurer TEXT NOT NULL,
            birth TEXT NOT NULL,
            record TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            valid_to TEXT,
            message TEXT UNIQUE,
            updated_at BIGINT NOT NULL
        )",
            "CREATE INDEX health_eligibility_code ON health_eligibility (code)",
            "CREATE INDEX health_eligibility_card ON health_eligibility (card)",
            // Children, for vaccination reminders.
            "CREATE INDEX health_eligibility_birth ON health_eligibility (birth)",
            // Cards registered for insurance use: the user-authentication certificate's serial
            // (hex) is what identifies the patient at a facility.
            "CREATE TABLE health_cards (serial TEXT PRIMARY KEY, code TEXT NOT NULL, registered_at BIGINT NOT NULL, via TEXT NOT NULL)",
            "CREATE INDEX health_cards_code ON health_cards (code)",
            // Facilities (医療機関・薬局) and the hash of their key.
            "CREATE TABLE health_facilities (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, key_hash TEXT NOT NULL, created_at BIGINT NOT NULL)",
            // Every identity check and consent at a facility, with the certificate, shown to the
            // resident; `nonce` is the signed challenge's. Reception ids begin with the time, so
            // the unique index on them grows at its end (a random key would dirty a random page
            // of it at every check).
            "CREATE TABLE health_checks (
            id {ID},
            reception TEXT NOT NULL UNIQUE,
            code TEXT,
            facility TEXT NOT NULL,
            at BIGINT NOT NULL,
            method TEXT NOT NULL,
            certificate TEXT NOT NULL,
            scopes TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            nonce TEXT
        )",
            "CREATE INDEX health_checks_code ON health_checks (code, at)",
            // Medical information by the health node's code: medication, checkups, expenses (from
            // claims) and PMH records (from municipalities). (source, line) makes a reload of the
            // same claims file or a resent push harmless.
            "CREATE TABLE health_records (
            id {ID},
            code TEXT NOT NULL,
            kind TEXT NOT NULL,
            day TEXT NOT NULL,
            body TEXT NOT NULL,
            source TEXT NOT NULL,
            line BIGINT NOT NULL,
            UNIQUE (source, line)
        )",
            "CREATE INDEX health_records_code ON health_records (code, kind, day)",
        ],
    ),
    (
        7,
        "agency: answers awaiting the hub's receipt",
        // Small: only answers not yet confirmed by the hub's log are in it.
        &["CREATE INDEX agency_unconfirmed ON agency_exchanges (at) WHERE role = 'answered' AND record IS NULL"],
    ),
];

/// The residents' secondary indexes. Kept apart from the migrations because a bulk load into
/// an empty registry drops them and builds them once at the end (a sort, instead of a random
/// B-tree insert per row); [`ensure_indexes`] runs at every open, so a load killed half way
/// leaves a registry that is fully indexed the next time it is opened.
pub(crate) const INDEXES: &[(&str, &str)] = &[
    ("residents_code", "CREATE UNIQUE INDEX IF NOT EXISTS residents_code ON residents (code)"),
    ("residents_number", "CREATE UNIQUE INDEX IF NOT EXISTS residents_number ON residents (number)"),
    ("residents_digest", "CREATE INDEX IF NOT EXISTS residents_digest ON residents (digest)"),
    ("residents_household", "CREATE INDEX IF NOT EXISTS residents_household ON residents (household)"),
];

pub(crate) async fn ensure_indexes(db: &Db) -> Result<(), StoreError> {
    for (_, sql) in INDEXES {
        sqlx::query(sql).write(db).await?;
    }
    Ok(())
}

fn dialect(backend: Backend, sql: &str) -> String {
    let (id, without_rowid) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", " WITHOUT ROWID"),
        // Rows inserted without an id get the next one, as SQLite's INTEGER PRIMARY KEY does;
        // an explicit id (the registry's serials) is still accepted.
        Backend::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ""),
    };
    sql.replace("{ID}", id).replace("{WITHOUT_ROWID}", without_rowid)
}

pub(crate) async fn run(db: &Db) -> Result<(), StoreError> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)")
        .write(db)
        .await?;
    let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()?;
    if let Some(v) = done.iter().find(|v| RETIRED.contains(v)) {
        return Err(StoreError::RetiredSchema(*v));
    }
    for (version, name, steps) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        let mut tx = db.begin().await?;
        for step in *steps {
            sqlx::query(&dialect(db.backend, step)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(*version)
            .bind(*name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, name, "applied migration");
    }
    ensure_indexes(db).await
}
