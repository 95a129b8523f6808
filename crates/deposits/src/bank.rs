//! A bank's node: the accounts of its customers, and what 預金保険機構 asks of them.

use std::{net::SocketAddr, sync::Arc};

use axum::{Json, Router, extract::State, routing::post};
use myna_node::{
    ApiError, ApiJson, ClientAuth, Metrics, NodeIdentity, RunningNode,
    access::{Access, Peers, Table, rule},
    now_secs,
};
use myna_store::{Db, Migration, Schema, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{OpenApi, ToSchema};

pub const SCHEMA: Schema = Schema {
    role: "bank",
    migrations: &[Migration {
        version: 1,
        name: "a bank's accounts and the numbers linked to them",
        steps: &[
            // `kana` in transfer kana, as the bank keeps names; `my_number` once linked (付番).
            "CREATE TABLE bank_accounts (
                branch TEXT NOT NULL,
                kind TEXT NOT NULL,
                account TEXT NOT NULL,
                kana TEXT NOT NULL,
                birth TEXT NOT NULL,
                my_number TEXT,
                linked_at BIGINT,
                PRIMARY KEY (branch, kind, account)
            )",
            "CREATE INDEX bank_accounts_person ON bank_accounts (kana, birth)",
            "CREATE INDEX bank_accounts_number ON bank_accounts (my_number)",
        ],
    }],
};

const DIC: Peers = Peers {
    who: "預金保険機構 (deposit_insurance)",
    may: |id| id.as_str() == "deposit_insurance",
    example: "deposit_insurance",
    not: "municipality:131016",
};

pub const TABLE: Table = Table {
    node: "a bank's node",
    rules: &[rule("POST", "/v1/linking", Access::Peers(DIC)), rule("POST", "/v1/whereabouts", Access::Peers(DIC))],
};

/// A customer's account as the bank holds it.
#[derive(Debug, Clone)]
pub struct Customer {
    pub branch: String,
    /// 1 普通, 2 当座, 4 貯蓄.
    pub kind: String,
    pub account: String,
    /// The holder's name (katakana; kept in transfer kana).
    pub kana: String,
    /// YYYY-MM-DD.
    pub birth: String,
}

pub struct Bank {
    pub code: String,
    db: Db,
}

/// 預金保険機構 names a person: link their accounts here to the number.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct Linking {
    pub number: String,
    /// The registered reading of the name (katakana).
    pub kana: String,
    /// YYYY-MM-DD.
    pub birth: String,
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct Linked {
    /// The accounts now linked to the number.
    pub linked: u64,
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct WhereaboutsQuery {
    pub number: String,
}

/// An account linked to the number: where it is, its number masked.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct Held {
    pub branch: String,
    pub kind: String,
    pub account: String,
}

impl Bank {
    pub async fn open(db: Db, code: &str) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { code: code.to_string(), db })
    }

    /// Adds (or replaces) customers' accounts, in one transaction.
    pub async fn add(&self, customers: &[Customer]) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        for c in customers.chunks(500) {
            let mut sql = self.db.insert_rows(
                "INSERT INTO bank_accounts (branch, kind, account, kana, birth) VALUES",
                c.len(),
                5,
            );
            sql.push_str(
                " ON CONFLICT (branch, kind, account) DO UPDATE SET kana = excluded.kana, birth = excluded.birth",
            );
            let mut q = sqlx::query(&sql);
            for x in c {
                let kana = myna_zengin::to_zengin(&x.kana).unwrap_or_else(|_| x.kana.clone());
                q = q
                    .bind(x.branch.clone())
                    .bind(x.kind.clone())
                    .bind(x.account.clone())
                    .bind(kana)
                    .bind(x.birth.clone());
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Links the number to every account of the person with this reading and birth date that
    /// is not another number's; answers how many are linked to it now.
    pub async fn link(&self, l: &Linking) -> Result<u64, StoreError> {
        let kana = myna_zengin::to_zengin(&l.kana).unwrap_or_else(|_| l.kana.clone());
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE bank_accounts SET my_number = $1, linked_at = $2 WHERE kana = $3 AND birth = $4 AND my_number IS NULL",
        )
        .bind(&l.number)
        .bind(now_secs())
        .bind(&kana)
        .bind(&l.birth)
        .execute(&mut *tx)
        .await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM bank_accounts WHERE my_number = $1")
            .bind(&l.number)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        tx.commit().await?;
        Ok(n as u64)
    }

    /// The accounts linked to `number`.
    pub async fn whereabouts(&self, number: &str) -> Result<Vec<Held>, StoreError> {
        let rows = sqlx::query(
            "SELECT branch, kind, account FROM bank_accounts WHERE my_number = $1 ORDER BY branch, account",
        )
        .bind(number)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let account: String = r.try_get(2)?;
                let tail: String = account.chars().skip(account.len().saturating_sub(3)).collect();
                Ok(Held { branch: r.try_get(0)?, kind: r.try_get(1)?, account: format!("****{tail}") })
            })
            .collect()
    }
}

fn number_ok(n: &str) -> Result<(), ApiError> {
    if n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::unprocessable("number", "an individual number is 12 digits"))
    }
}

/// Links a person's accounts here to their number (付番), as 預金保険機構 asks.
#[utoipa::path(post, path = "/v1/linking", request_body = Linking, responses((status = 200, body = Linked), (status = 400, description = "not JSON"),
    (status = 415, description = "not sent as application/json"), (status = 422, description = "a field is missing or not a number")))]
async fn linking(State(b): State<Arc<Bank>>, ApiJson(l): ApiJson<Linking>) -> Result<Json<Linked>, ApiError> {
    number_ok(&l.number)?;
    Ok(Json(Linked { linked: b.link(&l).await? }))
}

/// The accounts here linked to a number (所在確認).
#[utoipa::path(post, path = "/v1/whereabouts", request_body = WhereaboutsQuery, responses((status = 200, body = [Held]), (status = 400, description = "not JSON"),
    (status = 415, description = "not sent as application/json"), (status = 422, description = "not a number")))]
async fn whereabouts(
    State(b): State<Arc<Bank>>,
    ApiJson(q): ApiJson<WhereaboutsQuery>,
) -> Result<Json<Vec<Held>>, ApiError> {
    number_ok(&q.number)?;
    Ok(Json(b.whereabouts(&q.number).await?))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna bank node",
        description = "A bank's accounts, linked to their holders' numbers as 預金保険機構 asks (預貯金口座付番), and found by number for 所在確認. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(linking, whereabouts),
    components(schemas(Linking, Linked, WhereaboutsQuery, Held))
)]
struct Doc;

/// Starts bank `code`'s node on `addr` (its certificate `bank:<code>`).
pub async fn start(
    db: Db,
    code: &str,
    identity: &NodeIdentity,
    addr: SocketAddr,
) -> Result<(RunningNode, Arc<Bank>), String> {
    let bank = Arc::new(Bank::open(db, code).await.map_err(|e| e.to_string())?);
    let routes = Router::new()
        .route("/v1/linking", post(linking))
        .route("/v1/whereabouts", post(whereabouts))
        .route_layer(axum::middleware::from_fn_with_state(TABLE, myna_node::access::authorize))
        .with_state(bank.clone());
    let doc = TABLE.document(&Doc::openapi().to_json().unwrap_or_default());
    let node = myna_node::serve_with(routes, doc, Metrics::new("bank"), identity, addr, ClientAuth::Optional)
        .await
        .map_err(|e| e.to_string())?;
    Ok((node, bank))
}
