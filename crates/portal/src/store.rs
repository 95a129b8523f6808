//! Storage for Myna Portal: residents by the portal's code, notices, applications and their
//! status, municipal clerks, OAuth clients and residents' grants, and checked tree heads.

use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};
use sqlx::{Row, any::AnyRow};

/// Version 1 is what the single list of schemas made as its version 5.
pub const SCHEMA: Schema = Schema {
    role: "portal",
    migrations: &[
        Migration {
            version: 1,
            name: "portal",
            steps: &[
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
        },
        Migration {
            version: 2,
            name: "the clerk who last set an application's status",
            steps: &["ALTER TABLE portal_applications ADD COLUMN updated_by TEXT"],
        },
        Migration {
            version: 3,
            name: "tree heads of J-LIS's access log",
            steps: &[
                "CREATE TABLE portal_jlis_heads (size BIGINT PRIMARY KEY, root TEXT NOT NULL, at BIGINT NOT NULL, checked_at BIGINT NOT NULL)",
            ],
        },
        Migration {
            version: 4,
            name: "a notice's reply offered to the resident, and the reply given",
            // `reply` is the offer as JSON (myna_link::ReplyOffer); `replied_at` when the
            // resident's answer reached the sender.
            steps: &[
                "ALTER TABLE portal_notices ADD COLUMN reply TEXT",
                "ALTER TABLE portal_notices ADD COLUMN replied_at BIGINT",
            ],
        },
        Migration {
            version: 5,
            name: "the residents' qualification credentials",
            // The SD-JWT VC the qualification system issued, bound to the card's key: kept
            // for the resident, who alone can present it (the card signs each presentation).
            steps: &["CREATE TABLE portal_credentials (
            code TEXT NOT NULL,
            registration BIGINT NOT NULL,
            qualification TEXT NOT NULL,
            credential TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            PRIMARY KEY (code, registration)
        )"],
        },
        Migration {
            version: 6,
            name: "whom the resident showed a qualification, and what",
            steps: &["CREATE TABLE portal_presentations (
            code TEXT NOT NULL,
            verifier TEXT NOT NULL,
            verifier_name TEXT NOT NULL,
            qualification TEXT NOT NULL,
            claims TEXT NOT NULL,
            at BIGINT NOT NULL
        )"],
        },
    ],
};

/// Which log a checked head is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadOf {
    /// The hub's exchange log.
    Hub,
    /// J-LIS's access log.
    Jlis,
}

impl HeadOf {
    fn table(self) -> &'static str {
        match self {
            HeadOf::Hub => "portal_heads",
            HeadOf::Jlis => "portal_jlis_heads",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: i64,
    pub code: String,
    pub sender: String,
    pub message: String,
    pub title: String,
    pub body: String,
    pub deliver_at: i64,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// The answer the notice offers (JSON of `myna_link::ReplyOffer`).
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub receipt: String,
    pub code: String,
    pub municipality: String,
    pub procedure: String,
    /// The signed bytes (canonical JSON).
    pub document: String,
    pub signature: Option<String>,
    pub certificate: Option<String>,
    pub status: String,
    pub note: String,
    pub submitted_at: i64,
    pub updated_at: i64,
    pub idem: String,
    /// The clerk who last set the status (their account), if any has.
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    /// Why the service wants the data, as it stated at registration.
    pub purpose: String,
    pub secret_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub client: String,
    pub scopes: Vec<String>,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct PortalStore {
    db: Db,
}

const NOTICE_COLS: &str = "id, code, sender, message, title, body, deliver_at, created_at, read_at, reply, replied_at";
const APP_COLS: &str = "receipt, code, municipality, procedure_id, document, signature, certificate, status, note, submitted_at, updated_at, idem, updated_by";

fn notice(r: &AnyRow) -> Result<NoticeRow, StoreError> {
    Ok(NoticeRow {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        sender: r.try_get(2)?,
        message: r.try_get(3)?,
        title: r.try_get(4)?,
        body: r.try_get(5)?,
        deliver_at: r.try_get(6)?,
        created_at: r.try_get(7)?,
        read_at: r.try_get(8)?,
        reply: r.try_get(9)?,
        replied_at: r.try_get(10)?,
    })
}

fn application(r: &AnyRow) -> Result<ApplicationRow, StoreError> {
    Ok(ApplicationRow {
        receipt: r.try_get(0)?,
        code: r.try_get(1)?,
        municipality: r.try_get(2)?,
        procedure: r.try_get(3)?,
        document: r.try_get(4)?,
        signature: r.try_get(5)?,
        certificate: r.try_get(6)?,
        status: r.try_get(7)?,
        note: r.try_get(8)?,
        submitted_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
        idem: r.try_get(11)?,
        updated_by: r.try_get(12)?,
    })
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

impl PortalStore {
    /// The tables in `db`, migrated.
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn code_of(&self, pseudonym: &str) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT code FROM portal_people WHERE pseudonym = $1")
            .bind(pseudonym)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn remember(&self, pseudonym: &str, code: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO portal_people (pseudonym, code, first_seen) VALUES ($1, $2, $3) ON CONFLICT (pseudonym) DO NOTHING")
            .bind(pseudonym)
            .bind(code)
            .bind(now)
            .write(&self.db)
            .await?;
        Ok(())
    }

    /// Stores a notice; a second one with the same message id is ignored. Returns whether
    /// it was new.
    pub async fn add_notice(&self, n: &NoticeRow) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO portal_notices (code, sender, message, title, body, deliver_at, created_at, reply) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (message) DO NOTHING",
        )
        .bind(&n.code)
        .bind(&n.sender)
        .bind(&n.message)
        .bind(&n.title)
        .bind(&n.body)
        .bind(n.deliver_at)
        .bind(n.created_at)
        .bind(n.reply.as_deref())
        .write(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that the resident's reply to notice `id` reached its sender.
    pub async fn replied(&self, code: &str, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE portal_notices SET replied_at = $1 WHERE id = $2 AND code = $3")
            .bind(now)
            .bind(id)
            .bind(code)
            .write(&self.db)
            .await?;
        Ok(())
    }

    /// Notices delivered by `now`, newest first.
    pub async fn notices(&self, code: &str, now: i64, limit: u32) -> Result<Vec<NoticeRow>, StoreError> {
        let sql = format!(
            "SELECT {NOTICE_COLS} FROM portal_notices WHERE code = $1 AND deliver_at <= $2 ORDER BY deliver_at DESC, id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql).bind(code).bind(now).bind(i64::from(limit)).fetch_all(&self.db.pool).await?;
        rows.iter().map(notice).collect()
    }

    /// Notices scheduled for later (so the resident knows they are coming).
    pub async fn scheduled(&self, code: &str, now: i64) -> Result<Vec<NoticeRow>, StoreError> {
        let sql = format!(
            "SELECT {NOTICE_COLS} FROM portal_notices WHERE code = $1 AND deliver_at > $2 ORDER BY deliver_at LIMIT 50"
        );
        let rows = sqlx::query(&sql).bind(code).bind(now).fetch_all(&self.db.pool).await?;
        rows.iter().map(notice).collect()
    }

    pub async fn unread(&self, code: &str, now: i64) -> Result<i64, StoreError> {
        let r =
            sqlx::query("SELECT COUNT(*) FROM portal_notices WHERE code = $1 AND deliver_at <= $2 AND read_at IS NULL")
                .bind(code)
                .bind(now)
                .fetch_one(&self.db.pool)
                .await?;
        Ok(r.try_get(0)?)
    }

    /// The resident's own notice `id`, once delivered.
    pub async fn notice(&self, code: &str, id: i64, now: i64) -> Result<Option<NoticeRow>, StoreError> {
        let sql = format!("SELECT {NOTICE_COLS} FROM portal_notices WHERE id = $1 AND code = $2 AND deliver_at <= $3");
        let r = sqlx::query(&sql).bind(id).bind(code).bind(now).fetch_optional(&self.db.pool).await?;
        r.as_ref().map(notice).transpose()
    }

    /// Marks a notice read; only the resident's own, and only once.
    pub async fn mark_read(&self, code: &str, id: i64, now: i64) -> Result<Option<NoticeRow>, StoreError> {
        sqlx::query("UPDATE portal_notices SET read_at = $1 WHERE id = $2 AND code = $3 AND read_at IS NULL AND deliver_at <= $1")
            .bind(now)
            .bind(id)
            .bind(code)
            .write(&self.db)
            .await?;
        self.notice(code, id, now).await
    }

    /// Stores an application, or returns the one already stored under the same `idem`
    /// (a resubmission), durable before it returns.
    pub async fn submit(&self, a: &ApplicationRow) -> Result<ApplicationRow, StoreError> {
        let sql = format!(
            "INSERT INTO portal_applications ({APP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (idem) DO NOTHING"
        );
        sqlx::query(&sql)
            .bind(&a.receipt)
            .bind(&a.code)
            .bind(&a.municipality)
            .bind(&a.procedure)
            .bind(&a.document)
            .bind(&a.signature)
            .bind(&a.certificate)
            .bind(&a.status)
            .bind(&a.note)
            .bind(a.submitted_at)
            .bind(a.updated_at)
            .bind(&a.idem)
            .bind(a.updated_by.as_deref())
            .write(&self.db)
            .await?;
        let sql = format!("SELECT {APP_COLS} FROM portal_applications WHERE idem = $1");
        let stored = application(&sqlx::query(&sql).bind(&a.idem).fetch_one(&self.db.pool).await?)?;
        if stored.code != a.code || stored.document != a.document {
            return Err(StoreError::Conflict(format!(
                "idempotency key {:?} was already used for a different application",
                a.idem
            )));
        }
        Ok(stored)
    }

    pub async fn application(&self, receipt: &str) -> Result<Option<ApplicationRow>, StoreError> {
        let sql = format!("SELECT {APP_COLS} FROM portal_applications WHERE receipt = $1");
        sqlx::query(&sql).bind(receipt).fetch_optional(&self.db.pool).await?.as_ref().map(application).transpose()
    }

    /// A resident's applications, newest first.
    pub async fn applications_of(&self, code: &str) -> Result<Vec<ApplicationRow>, StoreError> {
        let sql =
            format!("SELECT {APP_COLS} FROM portal_applications WHERE code = $1 ORDER BY submitted_at DESC LIMIT 200");
        sqlx::query(&sql).bind(code).fetch_all(&self.db.pool).await?.iter().map(application).collect()
    }

    /// What a municipality received, newest first, optionally only in one status.
    pub async fn received(
        &self,
        municipality: &str,
        status: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ApplicationRow>, StoreError> {
        let sql = format!(
            "SELECT {APP_COLS} FROM portal_applications WHERE municipality = $1 AND ($2 = '' OR status = $2) ORDER BY submitted_at DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(municipality)
            .bind(status.unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(application).collect()
    }

    /// Sets an application's status, recording the clerk who did; only the municipality it
    /// was sent to may.
    pub async fn set_status(
        &self,
        (municipality, clerk): (&str, &str),
        receipt: &str,
        status: &str,
        note: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE portal_applications SET status = $1, note = $2, updated_at = $3, updated_by = $6 WHERE receipt = $4 AND municipality = $5")
            .bind(status)
            .bind(note)
            .bind(now)
            .bind(receipt)
            .bind(municipality)
            .bind(clerk)
            .write(&self.db)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn put_clerk(&self, municipality: &str, login: &str, hash: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO portal_clerks (municipality, login, hash) VALUES ($1, $2, $3) ON CONFLICT (municipality, login) DO UPDATE SET hash = excluded.hash")
            .bind(municipality)
            .bind(login)
            .bind(hash)
            .write(&self.db)
            .await?;
        Ok(())
    }

    pub async fn clerk_hash(&self, municipality: &str, login: &str) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT hash FROM portal_clerks WHERE municipality = $1 AND login = $2")
            .bind(municipality)
            .bind(login)
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn put_client(&self, c: &ClientRow, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO portal_clients (id, name, redirect_uris, scopes, purpose, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris, scopes = excluded.scopes, purpose = excluded.purpose, secret_hash = excluded.secret_hash",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(c.redirect_uris.join(" "))
        .bind(c.scopes.join(" "))
        .bind(&c.purpose)
        .bind(&c.secret_hash)
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(())
    }

    pub async fn client(&self, id: &str) -> Result<Option<ClientRow>, StoreError> {
        let r = sqlx::query(
            "SELECT id, name, redirect_uris, scopes, purpose, secret_hash FROM portal_clients WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?;
        r.map(|r| -> Result<ClientRow, StoreError> {
            Ok(ClientRow {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                redirect_uris: words(&r.try_get::<String, _>(2)?),
                scopes: words(&r.try_get::<String, _>(3)?),
                purpose: r.try_get(4)?,
                secret_hash: r.try_get(5)?,
            })
        })
        .transpose()
    }

    /// Records what a resident allowed a client (replacing an earlier or revoked grant).
    pub async fn grant(&self, code: &str, client: &str, scopes: &[String], now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO portal_grants (code, client, scopes, granted_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)
             ON CONFLICT (code, client) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at, revoked_at = NULL",
        )
        .bind(code)
        .bind(client)
        .bind(scopes.join(" "))
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(())
    }

    pub async fn revoke(&self, code: &str, client: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE portal_grants SET revoked_at = $1 WHERE code = $2 AND client = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(code)
        .bind(client)
        .write(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn grants(&self, code: &str) -> Result<Vec<GrantRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT client, scopes, granted_at, revoked_at FROM portal_grants WHERE code = $1 ORDER BY granted_at DESC",
        )
        .bind(code)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GrantRow {
                    client: r.try_get(0)?,
                    scopes: words(&r.try_get::<String, _>(1)?),
                    granted_at: r.try_get(2)?,
                    revoked_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// The newest tree head checked of `log`, if any.
    pub async fn last_head(&self, log: HeadOf) -> Result<Option<(u64, String, i64, i64)>, StoreError> {
        let sql = format!("SELECT size, root, at, checked_at FROM {} ORDER BY size DESC LIMIT 1", log.table());
        let r = sqlx::query(&sql).fetch_optional(&self.db.pool).await?;
        r.map(|r| -> Result<_, StoreError> {
            Ok((r.try_get::<i64, _>(0)? as u64, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        })
        .transpose()
    }

    pub async fn save_head(
        &self,
        log: HeadOf,
        size: u64,
        root: &str,
        (at, checked_at): (i64, i64),
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO {} (size, root, at, checked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO UPDATE SET checked_at = excluded.checked_at",
            log.table()
        );
        sqlx::query(&sql).bind(size as i64).bind(root).bind(at).bind(checked_at).write(&self.db).await?;
        Ok(())
    }
}
