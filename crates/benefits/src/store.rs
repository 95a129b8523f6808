//! The benefit system's tables: each benefit as defined and where its run stands, and each
//! household's payment (its recipient, amount, account and what became of it). A run writes
//! every step before it takes the next, so one cut short resumes where it stopped.

use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};
use sqlx::{Row, any::AnyRow};

pub const SCHEMA: Schema = Schema {
    role: "benefits",
    migrations: &[
        Migration {
            version: 1,
            name: "benefits and their payments",
            steps: &[
                // `definition` is the clerk's definition as JSON (rule::Definition); `stage` is
                // defined → determined → approved.
                "CREATE TABLE benefits (
                id TEXT PRIMARY KEY,
                definition TEXT NOT NULL,
                stage TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                determined_at BIGINT,
                approved_by TEXT,
                approved_at BIGINT
            )",
                // One payment a household, to its recipient; `seq` is the payment's reference in
                // the transfer file (顧客コード1). The account is the one the registry answered,
                // asked again at approval (the resident may change it until the deadline).
                "CREATE TABLE benefit_payments (
                benefit TEXT NOT NULL,
                person TEXT NOT NULL,
                seq BIGINT NOT NULL,
                amount BIGINT NOT NULL,
                children BIGINT NOT NULL,
                status TEXT NOT NULL,
                account TEXT,
                notice BIGINT,
                reason TEXT,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (benefit, person)
            )",
                "CREATE UNIQUE INDEX benefit_payments_seq ON benefit_payments (benefit, seq)",
            ],
        },
        Migration {
            version: 2,
            name: "the decision told to each recipient",
            // The hub's log index of the 支給決定 notice sent after approval (NULL: not yet).
            steps: &["ALTER TABLE benefit_payments ADD COLUMN decided_notice BIGINT"],
        },
    ],
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitRow {
    pub id: String,
    pub definition: String,
    pub stage: String,
    pub created_by: String,
    pub created_at: i64,
    pub determined_at: Option<i64>,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub benefit: String,
    pub person: String,
    pub seq: i64,
    pub amount: i64,
    pub children: i64,
    pub status: String,
    /// The account as JSON (bank, branch, kind, number, holder and names), once known.
    pub account: Option<String>,
    /// The hub's log index of the last notice sent about it.
    pub notice: Option<i64>,
    pub reason: Option<String>,
    pub updated_at: i64,
}

const B_COLS: &str = "id, definition, stage, created_by, created_at, determined_at, approved_by, approved_at";
const P_COLS: &str = "benefit, person, seq, amount, children, status, account, notice, reason, updated_at";

fn benefit(r: &AnyRow) -> Result<BenefitRow, StoreError> {
    Ok(BenefitRow {
        id: r.try_get(0)?,
        definition: r.try_get(1)?,
        stage: r.try_get(2)?,
        created_by: r.try_get(3)?,
        created_at: r.try_get(4)?,
        determined_at: r.try_get(5)?,
        approved_by: r.try_get(6)?,
        approved_at: r.try_get(7)?,
    })
}

fn payment(r: &AnyRow) -> Result<PaymentRow, StoreError> {
    Ok(PaymentRow {
        benefit: r.try_get(0)?,
        person: r.try_get(1)?,
        seq: r.try_get(2)?,
        amount: r.try_get(3)?,
        children: r.try_get(4)?,
        status: r.try_get(5)?,
        account: r.try_get(6)?,
        notice: r.try_get(7)?,
        reason: r.try_get(8)?,
        updated_at: r.try_get(9)?,
    })
}

/// Rows a multi-row statement carries (under SQLite's and PostgreSQL's parameter limits).
const CHUNK: usize = 1_000;

#[derive(Debug, Clone)]
pub struct BenefitStore {
    db: Db,
}

/// A payment's change: (person, status, account, notice, reason).
pub type Change<'a> = (&'a str, &'a str, Option<&'a str>, Option<i64>, Option<&'a str>);

impl BenefitStore {
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn create(&self, id: &str, definition: &str, by: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO benefits (id, definition, stage, created_by, created_at) VALUES ($1, $2, 'defined', $3, $4)",
        )
        .bind(id)
        .bind(definition)
        .bind(by)
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(())
    }

    pub async fn benefit(&self, id: &str) -> Result<Option<BenefitRow>, StoreError> {
        let r = sqlx::query(&format!("SELECT {B_COLS} FROM benefits WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(benefit).transpose()
    }

    pub async fn benefits(&self) -> Result<Vec<BenefitRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {B_COLS} FROM benefits ORDER BY created_at DESC, id LIMIT 200"))
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(benefit).collect()
    }

    /// The households found eligible, as `pending` payments, and the benefit marked
    /// determined, in one transaction. Run again, it adds nothing (the first determination
    /// stands).
    pub async fn determine(&self, id: &str, awards: &[(String, u64, u32)], now: i64) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        let stage: Option<String> = sqlx::query("SELECT stage FROM benefits WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if stage.as_deref() != Some("defined") {
            return Ok(false);
        }
        for (c, chunk) in awards.chunks(CHUNK).enumerate() {
            let sql = self.db.insert_rows(
                "INSERT INTO benefit_payments (benefit, person, seq, amount, children, status, updated_at) VALUES",
                chunk.len(),
                7,
            );
            let mut q = sqlx::query(&sql);
            for (i, (person, amount, children)) in chunk.iter().enumerate() {
                let seq = (c * CHUNK + i + 1) as i64;
                q = q.bind(id).bind(person.as_str()).bind(seq).bind(*amount as i64).bind(i64::from(*children));
                q = q.bind("pending").bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE benefits SET stage = 'determined', determined_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Payments of `benefit` in one of `statuses`, in reference order, after `after`.
    pub async fn payments(
        &self,
        benefit: &str,
        statuses: &[&str],
        after: i64,
        limit: u32,
    ) -> Result<Vec<PaymentRow>, StoreError> {
        let all = statuses.is_empty();
        let list = statuses.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
        // The statuses are this crate's own constants, never input.
        let filter = if all { String::new() } else { format!(" AND status IN ({list})") };
        let rows = sqlx::query(&format!(
            "SELECT {P_COLS} FROM benefit_payments WHERE benefit = $1 AND seq > $2{filter} ORDER BY seq LIMIT $3"
        ))
        .bind(benefit)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(payment).collect()
    }

    pub async fn payment(&self, benefit: &str, person: &str) -> Result<Option<PaymentRow>, StoreError> {
        let r = sqlx::query(&format!("SELECT {P_COLS} FROM benefit_payments WHERE benefit = $1 AND person = $2"))
            .bind(benefit)
            .bind(person)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(payment).transpose()
    }

    /// Changes one payment if it is still in one of `from` (so a decline that arrives after
    /// approval changes nothing); answers whether it changed.
    pub async fn change(&self, benefit: &str, c: Change<'_>, from: &[&str], now: i64) -> Result<bool, StoreError> {
        Ok(self.change_many(benefit, &[c], from, now).await? > 0)
    }

    /// [`Self::change`] for many payments in one transaction (a run's notices, a chunk at a
    /// time); answers how many changed.
    pub async fn change_many(
        &self,
        benefit: &str,
        changes: &[Change<'_>],
        from: &[&str],
        now: i64,
    ) -> Result<u64, StoreError> {
        let list = from.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "UPDATE benefit_payments SET status = $1, account = COALESCE($2, account), notice = COALESCE($3, notice),
             reason = $4, updated_at = $5 WHERE benefit = $6 AND person = $7 AND status IN ({list})"
        );
        let mut tx = self.db.begin().await?;
        let mut n = 0;
        for (person, status, account, notice, reason) in changes {
            let r = sqlx::query(&sql)
                .bind(*status)
                .bind(*account)
                .bind(*notice)
                .bind(*reason)
                .bind(now)
                .bind(benefit)
                .bind(*person)
                .execute(&mut *tx)
                .await?;
            n += r.rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Approved payments whose recipient is not yet told the decision, in reference order.
    pub async fn undecided(&self, benefit: &str, limit: u32) -> Result<Vec<PaymentRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {P_COLS} FROM benefit_payments WHERE benefit = $1 AND decided_notice IS NULL
             AND status IN ('in_transfer', 'unpayable') ORDER BY seq LIMIT $2"
        ))
        .bind(benefit)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(payment).collect()
    }

    /// Records the decision notices sent, (person, the hub's log index), in one transaction.
    pub async fn decided(&self, benefit: &str, told: &[(&str, i64)]) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for (person, record) in told {
            sqlx::query("UPDATE benefit_payments SET decided_notice = $1 WHERE benefit = $2 AND person = $3")
                .bind(*record)
                .bind(benefit)
                .bind(*person)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// The approval: every payment's final status and account, and the benefit approved by
    /// `by`, in one transaction. Answers false (and writes nothing) if it was approved before.
    pub async fn approve(&self, benefit: &str, changes: &[Change<'_>], by: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        let r = sqlx::query(
            "UPDATE benefits SET stage = 'approved', approved_by = $1, approved_at = $2 WHERE id = $3 AND stage = 'determined'",
        )
        .bind(by)
        .bind(now)
        .bind(benefit)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        for (person, status, account, _, reason) in changes {
            sqlx::query(
                "UPDATE benefit_payments SET status = $1, account = COALESCE($2, account), reason = $3, updated_at = $4
                 WHERE benefit = $5 AND person = $6",
            )
            .bind(*status)
            .bind(*account)
            .bind(*reason)
            .bind(now)
            .bind(benefit)
            .bind(*person)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// How many payments are in each status, and their amounts.
    pub async fn tally(&self, benefit: &str) -> Result<Vec<(String, i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM benefit_payments WHERE benefit = $1 GROUP BY status ORDER BY status",
        )
        .bind(benefit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
    }
}
