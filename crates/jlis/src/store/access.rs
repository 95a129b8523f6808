//! J-LIS's access log (本人確認情報の提供状況): every lookup, verification and record read,
//! who asked (by certificate), for which task and case, and about whom. The resident reads
//! their own entries through the portal. Rows are appended in groups (`GroupCommit`), each
//! durable before the answer it records is given.

use myna_store::{Db, GroupCommit, GroupError, Migration, Schema, StoreError};
use sqlx::Row as _;

pub const ACCESS: Schema = Schema {
    role: "jlis_access",
    migrations: &[Migration {
        version: 1,
        name: "access log",
        steps: &[
            // `resident` is the record code (none when a lookup matched nobody).
            "CREATE TABLE access_log (
            seq {ID},
            at BIGINT NOT NULL,
            resident BIGINT,
            caller TEXT NOT NULL,
            action TEXT NOT NULL,
            task TEXT NOT NULL,
            case_ref TEXT NOT NULL
        )",
            "CREATE INDEX access_log_resident ON access_log (resident, seq)",
        ],
    }],
};

/// One access, as recorded and as shown to the resident (the wire type of the portal's read).
pub use myna_link::AccessEntry as Access;

#[derive(Clone)]
struct Row {
    resident: Option<u64>,
    access: Access,
}

/// Rows per transaction at most.
const GROUP: usize = 1_000;

pub struct AccessLog {
    db: Db,
    writer: GroupCommit<Vec<Row>>,
}

impl AccessLog {
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&ACCESS).await?;
        let w = db.clone();
        let writer = GroupCommit::start(GROUP, move |groups: Vec<Vec<Row>>| {
            let db = w.clone();
            async move { append(&db, groups.into_iter().flatten().collect()).await }
        });
        Ok(Self { db, writer })
    }

    /// Records one access about `residents` (none: a lookup that matched nobody); returns once
    /// it is durable.
    pub async fn record(&self, residents: &[u64], access: Access) -> Result<(), GroupError> {
        let rows: Vec<Row> = if residents.is_empty() {
            vec![Row { resident: None, access }]
        } else {
            residents.iter().map(|&r| Row { resident: Some(r), access: access.clone() }).collect()
        };
        self.writer.write(rows).await
    }

    /// A resident's entries, newest first, at most `limit`.
    pub async fn of_resident(&self, resident: u64, limit: i64) -> Result<Vec<Access>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, caller, action, task, case_ref FROM access_log WHERE resident = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(resident as i64)
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Access {
                    at: r.try_get(0)?,
                    caller: r.try_get(1)?,
                    action: r.try_get(2)?,
                    task: r.try_get(3)?,
                    case_ref: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

async fn append(db: &Db, rows: Vec<Row>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(100) {
        let mut sql = String::from("INSERT INTO access_log (at, resident, caller, action, task, case_ref) VALUES ");
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
        }
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(r.access.at)
                .bind(r.resident.map(|v| v as i64))
                .bind(&r.access.caller)
                .bind(&r.access.action)
                .bind(&r.access.task)
                .bind(&r.access.case_ref);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await
}
