//! Storage for the health node: eligibility by the node's own code, cards registered for
//! insurance use, facilities, the log of identity checks and consents, and medical records.
//! Records are stored as the domain's JSON; what the node decides (which record ends when)
//! is the domain's job, this only writes it atomically.

use myna_store::{Batch, Db, Migration, Param, Schema, StoreError, WriteQuery as _};
use sqlx::{Row, any::AnyRow};

/// Version 1 is what the single list of schemas made as its version 6.
pub const SCHEMA: Schema = Schema {
    role: "health",
    migrations: &[Migration {
        version: 1,
        name: "health",
        steps: &[
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
    }],
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityRow {
    pub id: i64,
    pub code: String,
    pub card: String,
    pub insurer: String,
    /// YYYY-MM-DD, for finding children due a vaccination.
    pub birth: String,
    /// The domain's `Eligibility` as JSON.
    pub record: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacilityRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub key_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub reception: String,
    /// None when the card was not known (the attempt is logged all the same).
    pub code: Option<String>,
    pub facility: String,
    pub at: i64,
    pub method: String,
    /// The user-authentication certificate's serial (hex).
    pub certificate: String,
    /// Consented scopes, space-separated.
    pub scopes: String,
    pub outcome: String,
    pub reason: String,
    pub nonce: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub code: String,
    /// medication, checkup, expense or pmh.
    pub kind: String,
    /// YYYY-MM-DD (or YYYY-MM for expenses): the order they are shown in.
    pub day: String,
    pub body: String,
    /// The claims file's digest or the push's message id, with the line.
    pub source: String,
    pub line: i64,
}

#[derive(Debug, Clone)]
pub struct HealthStore {
    db: Db,
}

const ELIG_COLS: &str = "id, code, card, insurer, birth, record, valid_from, valid_to";
const CHECK_COLS: &str = "reception, code, facility, at, method, certificate, scopes, outcome, reason, nonce";

fn elig(r: &AnyRow) -> Result<EligibilityRow, StoreError> {
    Ok(EligibilityRow {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        card: r.try_get(2)?,
        insurer: r.try_get(3)?,
        birth: r.try_get(4)?,
        record: r.try_get(5)?,
        valid_from: r.try_get(6)?,
        valid_to: r.try_get(7)?,
    })
}

fn check(r: &AnyRow) -> Result<CheckRow, StoreError> {
    Ok(CheckRow {
        reception: r.try_get(0)?,
        code: r.try_get(1)?,
        facility: r.try_get(2)?,
        at: r.try_get(3)?,
        method: r.try_get(4)?,
        certificate: r.try_get(5)?,
        scopes: r.try_get(6)?,
        outcome: r.try_get(7)?,
        reason: r.try_get(8)?,
        nonce: r.try_get(9)?,
    })
}

/// Rows per multi-row INSERT (PostgreSQL allows 65,535 parameters; SQLite 32,766).
const CHUNK: usize = 500;

impl HealthStore {
    /// The tables in `db`, migrated.
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn eligibility_of(&self, code: &str) -> Result<Vec<EligibilityRow>, StoreError> {
        let sql =
            format!("SELECT {ELIG_COLS} FROM health_eligibility WHERE code = $1 ORDER BY valid_from DESC, id DESC");
        sqlx::query(&sql).bind(code).fetch_all(&self.db.pool).await?.iter().map(elig).collect()
    }

    /// Whether a push with this message id was already stored.
    pub async fn seen_message(&self, message: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 FROM health_eligibility WHERE message = $1")
            .bind(message)
            .fetch_optional(&self.db.pool)
            .await?
            .is_some())
    }

    /// In one transaction: the new record, and the changes to earlier ones (ended, or
    /// replaced when `id` is in `replace`). A resent message stores nothing.
    pub async fn apply_eligibility(
        &self,
        new: &EligibilityRow,
        message: &str,
        ended: &[EligibilityRow],
        replace: &[i64],
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        if sqlx::query("SELECT 1 FROM health_eligibility WHERE message = $1")
            .bind(message)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        for id in replace {
            sqlx::query("DELETE FROM health_eligibility WHERE id = $1 AND code = $2")
                .bind(id)
                .bind(&new.code)
                .execute(&mut *tx)
                .await?;
        }
        for e in ended {
            sqlx::query(
                "UPDATE health_eligibility SET record = $1, valid_to = $2, updated_at = $3 WHERE id = $4 AND code = $5",
            )
            .bind(&e.record)
            .bind(&e.valid_to)
            .bind(now)
            .bind(e.id)
            .bind(&new.code)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("INSERT INTO health_eligibility (code, card, insurer, birth, record, valid_from, valid_to, message, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&new.code)
            .bind(&new.card)
            .bind(&new.insurer)
            .bind(&new.birth)
            .bind(&new.record)
            .bind(&new.valid_from)
            .bind(&new.valid_to)
            .bind(message)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The hot path of reception, in one query: the person a registered card names, their
    /// eligibility records, and their PMH records (subsidy certificates the counter needs).
    pub async fn by_serial(
        &self,
        serial: &str,
    ) -> Result<Option<(String, Vec<EligibilityRow>, Vec<String>)>, StoreError> {
        let sql = "SELECT c.code, 'e', e.id, e.card, e.insurer, e.birth, e.record, e.valid_from, e.valid_to
                     FROM health_cards c LEFT JOIN health_eligibility e ON e.code = c.code WHERE c.serial = $1
                   UNION ALL
                   SELECT c.code, 'p', r.id, NULL, NULL, NULL, r.body, r.day, NULL
                     FROM health_cards c JOIN health_records r ON r.code = c.code AND r.kind = 'pmh' WHERE c.serial = $1";
        // Each row: the code, and an eligibility record or a PMH record (none when the card
        // is registered but its holder has no eligibility: the LEFT JOIN's NULLs).
        enum Found {
            Eligibility(EligibilityRow),
            Pmh(String),
        }
        // The check's one read: on SQLite on the request's own thread (`Db::read`).
        let rows = self
            .db
            .read(sql, &[serial.into()], |r| {
                let code: String = r.get(0)?;
                let Some(id) = r.get::<Option<i64>>(2)? else { return Ok((code, None)) };
                let found = if r.get::<String>(1)? == "p" {
                    Found::Pmh(r.get(6)?)
                } else {
                    Found::Eligibility(EligibilityRow {
                        id,
                        code: code.clone(),
                        card: r.get(3)?,
                        insurer: r.get(4)?,
                        birth: r.get(5)?,
                        record: r.get(6)?,
                        valid_from: r.get(7)?,
                        valid_to: r.get(8)?,
                    })
                };
                Ok((code, Some(found)))
            })
            .await?;
        let Some((code, _)) = rows.first() else { return Ok(None) };
        let code = code.clone();
        let (mut elig, mut pmh) = (Vec::new(), Vec::new());
        for (_, found) in rows {
            match found {
                Some(Found::Eligibility(e)) => elig.push(e),
                Some(Found::Pmh(p)) => pmh.push(p),
                None => {}
            }
        }
        elig.sort_by(|a, b| b.valid_from.cmp(&a.valid_from));
        Ok(Some((code, elig, pmh)))
    }

    /// Records under a card's printed fields (query without a card).
    pub async fn by_card(&self, card: &str) -> Result<Vec<EligibilityRow>, StoreError> {
        let sql = format!("SELECT {ELIG_COLS} FROM health_eligibility WHERE card = $1 ORDER BY valid_from DESC");
        sqlx::query(&sql).bind(card).fetch_all(&self.db.pool).await?.iter().map(elig).collect()
    }

    pub async fn register_card(&self, serial: &str, code: &str, via: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO health_cards (serial, code, registered_at, via) VALUES ($1, $2, $3, $4) ON CONFLICT (serial) DO NOTHING")
            .bind(serial)
            .bind(code)
            .bind(now)
            .bind(via)
            .write(&self.db)
            .await?;
        Ok(())
    }

    /// When and how the person's card was registered, if it was.
    pub async fn registration(&self, code: &str) -> Result<Option<(i64, String)>, StoreError> {
        let r = sqlx::query(
            "SELECT registered_at, via FROM health_cards WHERE code = $1 ORDER BY registered_at DESC LIMIT 1",
        )
        .bind(code)
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(match r {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        })
    }

    pub async fn add_facility(&self, f: &FacilityRow, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO health_facilities (code, name, kind, key_hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET name = $2, kind = $3, key_hash = $4")
            .bind(&f.code)
            .bind(&f.name)
            .bind(&f.kind)
            .bind(&f.key_hash)
            .bind(now)
            .write(&self.db)
            .await?;
        Ok(())
    }

    pub async fn facilities(&self) -> Result<Vec<FacilityRow>, StoreError> {
        let rows = sqlx::query("SELECT code, name, kind, key_hash FROM health_facilities ORDER BY code")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FacilityRow {
                    code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    key_hash: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Writes a group of check rows in one transaction (group commit): each caller is
    /// answered only after this returns.
    pub async fn log_checks(&self, rows: &[CheckRow]) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        for chunk in rows.chunks(CHUNK) {
            let sql = self.db.insert_rows(&format!("INSERT INTO health_checks ({CHECK_COLS}) VALUES"), chunk.len(), 10);
            let mut params = Vec::with_capacity(chunk.len() * 10);
            for c in chunk {
                params.extend([
                    Param::from(&c.reception),
                    c.code.clone().into(),
                    (&c.facility).into(),
                    c.at.into(),
                    (&c.method).into(),
                    (&c.certificate).into(),
                    (&c.scopes).into(),
                    (&c.outcome).into(),
                    (&c.reason).into(),
                    c.nonce.clone().into(),
                ]);
            }
            batch.push(sql, params);
        }
        self.db.write_batch(batch).await
    }

    pub async fn checks_of(&self, code: &str, limit: u32) -> Result<Vec<CheckRow>, StoreError> {
        let sql = format!("SELECT {CHECK_COLS} FROM health_checks WHERE code = $1 ORDER BY at DESC, id DESC LIMIT $2");
        sqlx::query(&sql).bind(code).bind(i64::from(limit)).fetch_all(&self.db.pool).await?.iter().map(check).collect()
    }

    pub async fn reception(&self, id: &str) -> Result<Option<CheckRow>, StoreError> {
        let sql = format!("SELECT {CHECK_COLS} FROM health_checks WHERE reception = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.db.pool).await?.as_ref().map(check).transpose()
    }

    /// Adds records; a (source, line) already stored is skipped. Returns how many were new.
    pub async fn add_records(&self, rows: &[RecordRow]) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        let mut added = 0;
        for chunk in rows.chunks(CHUNK) {
            let mut sql = self.db.insert_rows(
                "INSERT INTO health_records (code, kind, day, body, source, line) VALUES",
                chunk.len(),
                6,
            );
            sql.push_str(" ON CONFLICT (source, line) DO NOTHING");
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(&r.code).bind(&r.kind).bind(&r.day).bind(&r.body).bind(&r.source).bind(r.line);
            }
            added += q.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// A person's records of one kind, newest first.
    pub async fn records_of(&self, code: &str, kind: &str, limit: u32) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT body FROM health_records WHERE code = $1 AND kind = $2 ORDER BY day DESC, id DESC LIMIT $3",
        )
        .bind(code)
        .bind(kind)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Every card key's person and validity, for matching a claims file (card → code on a
    /// day). Read in one pass; a month of claims names most insured people.
    pub async fn card_index(&self, cards: &[String]) -> Result<Vec<EligibilityRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in cards.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT {ELIG_COLS} FROM health_eligibility WHERE card IN ({})", marks.join(", "));
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q.bind(c);
            }
            for r in q.fetch_all(&self.db.pool).await? {
                out.push(elig(&r)?);
            }
        }
        Ok(out)
    }

    /// Bulk load for benchmarks and migrations: eligibility rows and card registrations,
    /// each chunk one multi-row INSERT, all in one transaction.
    pub async fn bulk_load(&self, rows: &[(EligibilityRow, Option<String>)], now: i64) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for chunk in rows.chunks(CHUNK) {
            let sql = self.db.insert_rows("INSERT INTO health_eligibility (code, card, insurer, birth, record, valid_from, valid_to, updated_at) VALUES", chunk.len(), 8);
            let mut q = sqlx::query(&sql);
            for (e, _) in chunk {
                q = q
                    .bind(&e.code)
                    .bind(&e.card)
                    .bind(&e.insurer)
                    .bind(&e.birth)
                    .bind(&e.record)
                    .bind(&e.valid_from)
                    .bind(&e.valid_to)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
            let cards: Vec<(&String, &String)> =
                chunk.iter().filter_map(|(e, s)| s.as_ref().map(|s| (s, &e.code))).collect();
            if !cards.is_empty() {
                let mut sql = "INSERT INTO health_cards (serial, code, registered_at, via) VALUES ".to_string();
                for i in 0..cards.len() {
                    let b = i * 3;
                    sql.push_str(&format!(
                        "{}(${}, ${}, ${}, 'bulk')",
                        if i > 0 { ", " } else { "" },
                        b + 1,
                        b + 2,
                        b + 3
                    ));
                }
                sql.push_str(" ON CONFLICT (serial) DO NOTHING");
                let mut q = sqlx::query(&sql);
                for (s, c) in cards {
                    q = q.bind(s).bind(c).bind(now);
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// People born on or after `since` (YYYY-MM-DD), with their birth date: the children a
    /// vaccination may be due for.
    pub async fn born_since(&self, since: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT code, birth FROM health_eligibility WHERE birth >= $1")
            .bind(since)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    pub async fn count_eligibility(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM health_eligibility").fetch_one(&self.db.pool).await?.try_get(0)?)
    }
}
