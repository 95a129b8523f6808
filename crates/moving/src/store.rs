//! The desk's table: every move application this municipality received, as the 転出届 (from
//! a resident leaving) or the 転入予約 (from one arriving), with where it stands. The signed
//! application is kept as received: it is the resident's own record of what they asked.

use myna_store::{Db, Migration, Schema, StoreError};
use sqlx::{Row, any::AnyRow};

pub const SCHEMA: Schema = Schema {
    role: "moving",
    migrations: &[Migration {
        version: 1,
        name: "move applications",
        steps: &[
            // `id` is the application's (the hash of what was signed); `role` is `out` (this
            // municipality is left) or `in` (moved to); `code` is this agency's code for the
            // signer; `status` `accepted`, `reserved` or `completed`; `detail` JSON of what
            // J-LIS recorded.
            "CREATE TABLE moves (
                id TEXT NOT NULL,
                role TEXT NOT NULL,
                code TEXT NOT NULL,
                application TEXT NOT NULL,
                status TEXT NOT NULL,
                detail TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (id, role)
            )",
            "CREATE INDEX moves_open ON moves (role, status)",
        ],
    }],
};

/// One application as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRow {
    pub id: String,
    pub role: String,
    pub code: String,
    /// The application's JSON (`myna_link::MoveApplication`), as signed.
    pub application: String,
    pub status: String,
    pub detail: String,
    pub received_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, role, code, application, status, detail, received_at, updated_at";

fn row(r: &AnyRow) -> Result<MoveRow, StoreError> {
    Ok(MoveRow {
        id: r.try_get(0)?,
        role: r.try_get(1)?,
        code: r.try_get(2)?,
        application: r.try_get(3)?,
        status: r.try_get(4)?,
        detail: r.try_get(5)?,
        received_at: r.try_get(6)?,
        updated_at: r.try_get(7)?,
    })
}

#[derive(Debug, Clone)]
pub struct MoveStore {
    db: Db,
}

impl MoveStore {
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db })
    }

    /// Keeps an application; one already kept (the same id and role) is left as it is, so a
    /// retried push changes nothing. Returns the row as stored.
    pub async fn keep(&self, m: &MoveRow) -> Result<MoveRow, StoreError> {
        sqlx::query(&format!(
            "INSERT INTO moves ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id, role) DO NOTHING"
        ))
        .bind(&m.id)
        .bind(&m.role)
        .bind(&m.code)
        .bind(&m.application)
        .bind(&m.status)
        .bind(&m.detail)
        .bind(m.received_at)
        .bind(m.updated_at)
        .execute(&self.db.pool)
        .await?;
        Ok(self.get(&m.id, &m.role).await?.unwrap_or_else(|| m.clone()))
    }

    pub async fn get(&self, id: &str, role: &str) -> Result<Option<MoveRow>, StoreError> {
        let r = sqlx::query(&format!("SELECT {COLUMNS} FROM moves WHERE id = $1 AND role = $2"))
            .bind(id)
            .bind(role)
            .fetch_optional(&self.db.pool)
            .await?;
        r.as_ref().map(row).transpose()
    }

    /// The applications of `role` in `status`, oldest first.
    pub async fn with_status(&self, role: &str, status: &str) -> Result<Vec<MoveRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM moves WHERE role = $1 AND status = $2 ORDER BY received_at, id"
        ))
        .bind(role)
        .bind(status)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(row).collect()
    }

    /// Moves an application on: `from` → `to`, with what J-LIS recorded; `false` when it was
    /// not in `from` (already done, by a retry).
    pub async fn advance(
        &self,
        (id, role): (&str, &str),
        from: &str,
        to: &str,
        detail: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE moves SET status = $1, detail = $2, updated_at = $3 WHERE id = $4 AND role = $5 AND status = $6",
        )
        .bind(to)
        .bind(detail)
        .bind(now)
        .bind(id)
        .bind(role)
        .bind(from)
        .execute(&self.db.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
