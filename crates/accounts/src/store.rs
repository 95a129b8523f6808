//! The registry's tables: each person's current account (at most one), every change kept in
//! the history, and an index by account so a second person's registration of the same account
//! is found at once.

use myna_store::{Db, Migration, Schema, StoreError};
use sqlx::{Row, any::AnyRow};

pub const SCHEMA: Schema = Schema {
    role: "accounts",
    migrations: &[Migration {
        version: 1,
        name: "public-fund accounts and their history",
        steps: &[
            // One account per person (by the registry's agency code). `status` is `active`, or
            // `held` while an account registered to another person as well awaits review.
            "CREATE TABLE fund_accounts (
                code TEXT PRIMARY KEY,
                bank TEXT NOT NULL,
                branch TEXT NOT NULL,
                kind TEXT NOT NULL,
                number TEXT NOT NULL,
                holder TEXT NOT NULL,
                status TEXT NOT NULL,
                channel TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )",
            // Account numbers are nearly unique: a batch's holders are found by number.
            "CREATE INDEX fund_accounts_by_account ON fund_accounts (number, bank, branch, kind)",
            // Append-only: what was registered, changed or removed, when, and through whom.
            "CREATE TABLE fund_account_history (
                id BIGINT NOT NULL,
                code TEXT NOT NULL,
                action TEXT NOT NULL,
                account TEXT,
                channel TEXT NOT NULL,
                at BIGINT NOT NULL,
                PRIMARY KEY (code, id)
            )",
        ],
    }],
};

/// A person's current account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub code: String,
    pub bank: String,
    pub branch: String,
    pub kind: String,
    pub number: String,
    pub holder: String,
    pub status: String,
    pub channel: String,
    pub updated_at: i64,
}

const COLUMNS: &str = "code, bank, branch, kind, number, holder, status, channel, updated_at";
const UPSERT: &str =
    " ON CONFLICT (code) DO UPDATE SET bank = excluded.bank, branch = excluded.branch, kind = excluded.kind,
    number = excluded.number, holder = excluded.holder, status = excluded.status, channel = excluded.channel,
    updated_at = excluded.updated_at";

/// An account as the history writes it.
fn describe(a: &AccountRow) -> String {
    format!("{} {} {} {} {}", a.bank, a.branch, a.kind, a.number, a.holder)
}

fn row(r: &AnyRow) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        code: r.try_get(0)?,
        bank: r.try_get(1)?,
        branch: r.try_get(2)?,
        kind: r.try_get(3)?,
        number: r.try_get(4)?,
        holder: r.try_get(5)?,
        status: r.try_get(6)?,
        channel: r.try_get(7)?,
        updated_at: r.try_get(8)?,
    })
}

#[derive(Debug, Clone)]
pub struct AccountStore {
    db: Db,
}

impl AccountStore {
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db })
    }

    pub async fn current(&self, code: &str) -> Result<Option<AccountRow>, StoreError> {
        let r = sqlx::query(&format!("SELECT {COLUMNS} FROM fund_accounts WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(row).transpose()
    }

    /// The current accounts of many people (by code).
    pub async fn currents(
        &self,
        codes: &[String],
    ) -> Result<std::collections::HashMap<String, AccountRow>, StoreError> {
        let rows = self.db.fetch_in(&format!("SELECT {COLUMNS} FROM fund_accounts WHERE code IN"), codes).await?;
        rows.iter().map(|r| row(r).map(|a| (a.code.clone(), a))).collect()
    }

    /// Every account with one of these numbers (at any bank).
    pub async fn with_numbers(&self, numbers: &[String]) -> Result<Vec<AccountRow>, StoreError> {
        let rows = self.db.fetch_in(&format!("SELECT {COLUMNS} FROM fund_accounts WHERE number IN"), numbers).await?;
        rows.iter().map(row).collect()
    }

    /// Removes a person's account and appends the removal to the history, in one transaction.
    pub async fn remove(&self, code: &str, channel: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM fund_accounts WHERE code = $1").bind(code).execute(&mut *tx).await?;
        let next: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM fund_account_history WHERE code = $1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        sqlx::query(
            "INSERT INTO fund_account_history (id, code, action, account, channel, at) VALUES ($1, $2, 'removed', NULL, $3, $4)",
        )
        .bind(next)
        .bind(code)
        .bind(channel)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Sets many people's accounts and appends each change to the history, in one transaction
    /// of multi-row statements: the answer comes once all are durable.
    pub async fn put_many(
        &self,
        rows: &[(String, (AccountRow, &str))],
        channel: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        for chunk in rows.chunks(100) {
            let mut sql = self.db.insert_rows(&format!("INSERT INTO fund_accounts ({COLUMNS}) VALUES"), chunk.len(), 9);
            sql.push_str(UPSERT);
            let mut q = sqlx::query(&sql);
            for (_, (a, _)) in chunk {
                q = q
                    .bind(&a.code)
                    .bind(&a.bank)
                    .bind(&a.branch)
                    .bind(&a.kind)
                    .bind(&a.number)
                    .bind(&a.holder)
                    .bind(&a.status)
                    .bind(&a.channel)
                    .bind(a.updated_at);
            }
            q.execute(&mut *tx).await?;
            let sql = format!(
                "SELECT code, MAX(id) FROM fund_account_history WHERE code IN ({}) GROUP BY code",
                self.db.placeholders(chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for (code, _) in chunk {
                q = q.bind(code.as_str());
            }
            let mut last = std::collections::HashMap::new();
            for r in q.fetch_all(&mut *tx).await? {
                last.insert(r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?);
            }
            let sql = self.db.insert_rows(
                "INSERT INTO fund_account_history (id, code, action, account, channel, at) VALUES",
                chunk.len(),
                6,
            );
            let mut q = sqlx::query(&sql);
            for (code, (a, action)) in chunk {
                let next = last.get(code).copied().unwrap_or(0) + 1;
                last.insert(code.clone(), next);
                q = q.bind(next).bind(code.as_str()).bind(*action).bind(describe(a)).bind(channel).bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// The history of a person's account, oldest first: (action, account, channel, at).
    pub async fn history(&self, code: &str) -> Result<Vec<(String, Option<String>, String, i64)>, StoreError> {
        let rows =
            sqlx::query("SELECT action, account, channel, at FROM fund_account_history WHERE code = $1 ORDER BY id")
                .bind(code)
                .fetch_all(&self.db.pool)
                .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).collect()
    }
}
