//! Named staff accounts signed in with a staff card, for an organization's node.
//!
//! A member of staff is an account (its id, the person's name, a role the organization's
//! administrator gave) bound to one card's user-authentication certificate (the card's
//! issuer and serial; the software card serves, as the real 職員証 of national staff is a My
//! Number Card). Staff sign in as any holder does — the node's challenge, signed after the PIN,
//! checked against the JPKI and J-LIS's CRL — and get a session naming the account, so every
//! action is recorded under the person who did it. The administrator adds and removes accounts
//! on the node's own database (`myna staff …`), not over the network.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use myna_node::{ApiError, ApiJson};
use myna_store::{Db, Migration, Schema, StoreError, WriteQuery as _};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tokio::sync::OnceCell;
use utoipa::ToSchema;

use crate::{ChallengeView, LoginBody, Service};

pub const SCHEMA: Schema = Schema {
    role: "staff",
    migrations: &[Migration {
        version: 1,
        name: "named staff accounts bound to their cards",
        steps: &["CREATE TABLE staff (
            account TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            card_serial BIGINT NOT NULL UNIQUE,
            added_at BIGINT NOT NULL
        )"],
    }],
};

/// A member of staff, as actions are recorded under them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Staff {
    /// The account id (`tanaka.h`).
    pub account: String,
    /// The person's name.
    pub name: String,
    /// The role their organization gave them (`clerk` …).
    pub role: String,
}

/// The roles a node gives its staff: what they are called, and the test of a role's name.
#[derive(Clone, Copy)]
pub struct Roles {
    pub describe: &'static str,
    pub valid: fn(&str) -> bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("an account id is 1-64 letters, digits, '.', '-' or '_'")]
    BadAccount,
    #[error("a name is 1-100 characters")]
    BadName,
    #[error("the role {0:?} is not one this node gives: {1}")]
    BadRole(String, String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The staff table of one node's database.
#[derive(Clone)]
pub struct StaffDirectory {
    db: Db,
    roles: Roles,
}

impl StaffDirectory {
    /// `roles` are the roles this node gives.
    pub async fn open(db: Db, roles: Roles) -> Result<Self, StoreError> {
        db.migrate(&SCHEMA).await?;
        Ok(Self { db, roles })
    }

    /// Adds an account, or replaces the one with this id (a new card, name or role); a card
    /// already bound to another account is refused.
    pub async fn add(&self, staff: &Staff, card_serial: u64, now: i64) -> Result<(), StaffError> {
        let ok = |c: char| c.is_ascii_alphanumeric() || ".-_".contains(c);
        if staff.account.is_empty() || staff.account.len() > 64 || !staff.account.chars().all(ok) {
            return Err(StaffError::BadAccount);
        }
        if staff.name.trim().is_empty() || staff.name.chars().count() > 100 {
            return Err(StaffError::BadName);
        }
        if !(self.roles.valid)(&staff.role) {
            return Err(StaffError::BadRole(staff.role.clone(), self.roles.describe.to_owned()));
        }
        let serial =
            i64::try_from(card_serial).map_err(|_| StaffError::Store(StoreError::Conflict("serial".into())))?;
        sqlx::query(
            "INSERT INTO staff (account, name, role, card_serial, added_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account) DO UPDATE SET name = excluded.name, role = excluded.role,
                 card_serial = excluded.card_serial, added_at = excluded.added_at",
        )
        .bind(&staff.account)
        .bind(&staff.name)
        .bind(&staff.role)
        .bind(serial)
        .bind(now)
        .write(&self.db)
        .await?;
        Ok(())
    }

    /// Removes an account; its sessions end at their next use.
    pub async fn remove(&self, account: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM staff WHERE account = $1").bind(account).write(&self.db).await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn by_card(&self, serial: u64) -> Result<Option<Staff>, StoreError> {
        let Ok(serial) = i64::try_from(serial) else { return Ok(None) };
        let q = sqlx::query("SELECT account, name, role FROM staff WHERE card_serial = $1").bind(serial);
        one(q.fetch_optional(&self.db.pool).await?)
    }

    pub async fn by_account(&self, account: &str) -> Result<Option<Staff>, StoreError> {
        let q = sqlx::query("SELECT account, name, role FROM staff WHERE account = $1").bind(account);
        one(q.fetch_optional(&self.db.pool).await?)
    }

    /// Every account, by id.
    pub async fn list(&self) -> Result<Vec<(Staff, u64)>, StoreError> {
        let rows = sqlx::query("SELECT account, name, role, card_serial FROM staff ORDER BY account")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let serial: i64 = r.try_get(3)?;
                Ok((
                    Staff { account: r.try_get(0)?, name: r.try_get(1)?, role: r.try_get(2)? },
                    u64::try_from(serial).unwrap_or_default(),
                ))
            })
            .collect()
    }
}

fn one(row: Option<sqlx::any::AnyRow>) -> Result<Option<Staff>, StoreError> {
    Ok(row
        .map(|r| Ok::<_, sqlx::Error>(Staff { account: r.try_get(0)?, name: r.try_get(1)?, role: r.try_get(2)? }))
        .transpose()?)
}

/// A staff session's answer to a login.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StaffSession {
    /// Send as `Authorization: Bearer <session>`.
    pub session: String,
    pub staff: Staff,
    pub expires: i64,
}

/// Sign-in for staff: the card login (its JPKI trust fetched from J-LIS on first use) and the
/// open sessions.
pub struct StaffLogin {
    service: String,
    network_ca: String,
    /// J-LIS's URL, for its CA certificates and CRL (J-LIS itself sets its own once bound).
    jlis: std::sync::OnceLock<String>,
    login: OnceCell<Arc<Service>>,
    pub directory: StaffDirectory,
    sessions: Mutex<HashMap<String, (String, i64)>>,
}

/// How long a staff session lasts (a working half-day).
pub const STAFF_SESSION_SECS: i64 = 4 * 3600;
const MAX_SESSIONS: usize = 100_000;

impl StaffLogin {
    /// `service` names the node in its challenges (`staff@<node id>`); `jlis` is J-LIS's URL
    /// (or set later with [`Self::set_jlis`]).
    pub fn new(service: String, network_ca: String, jlis: Option<String>, directory: StaffDirectory) -> Self {
        let cell = std::sync::OnceLock::new();
        if let Some(j) = jlis {
            let _ = cell.set(j);
        }
        Self { service, network_ca, jlis: cell, login: OnceCell::new(), directory, sessions: Mutex::default() }
    }

    /// Where J-LIS is, when it was not known at construction.
    pub fn set_jlis(&self, url: String) {
        let _ = self.jlis.set(url);
    }

    async fn service(&self) -> Result<&Arc<Service>, ApiError> {
        let jlis = self
            .jlis
            .get()
            .ok_or_else(|| ApiError::bad_gateway("jlis_unavailable", "J-LIS's address is not known yet"))?;
        self.login
            .get_or_try_init(|| async {
                let unavailable = |e: &dyn std::fmt::Display| {
                    ApiError::bad_gateway("jlis_unavailable", format!("J-LIS's card authority is not reachable: {e}"))
                };
                let ca = reqwest::Certificate::from_pem(self.network_ca.as_bytes()).map_err(|e| unavailable(&e))?;
                let client =
                    reqwest::Client::builder().add_root_certificate(ca).build().map_err(|e| unavailable(&e))?;
                let trust = crate::fetch_trust(&client, jlis).await.map_err(|e| unavailable(&e))?;
                let s = Arc::new(Service::new(
                    &self.service,
                    trust,
                    b"staff: accounts are bound to the card, no pseudonyms are made",
                    jlis,
                ));
                if let Err(e) = s.crl.refresh(&client, s.trust()).await {
                    tracing::warn!(error = %e, "J-LIS's CRL is not available yet; staff cards are refused until it is");
                }
                s.spawn_refresh(client, std::time::Duration::from_secs(60));
                Ok(s)
            })
            .await
    }

    pub async fn challenge(&self) -> Result<ChallengeView, ApiError> {
        self.service().await?.new_challenge()
    }

    /// A card login: the card must be bound to an account of this node.
    pub async fn login(&self, body: LoginBody) -> Result<StaffSession, ApiError> {
        let (cert, ok) = self.service().await?.check_login(body)?;
        let (serial, shown) = (cert.serial.value(), cert.serial);
        let staff = self.directory.by_card(serial).await?.ok_or_else(|| {
            ApiError::forbidden(
                "not_staff",
                format!(
                    "this card (user-authentication certificate {shown}) is not bound to a staff account here; \
                     ask your administrator to add it (myna staff add … --serial {shown})"
                ),
            )
        })?;
        let now = myna_node::now_secs();
        let expires = (now + STAFF_SESSION_SECS).min(ok.certificate_expires);
        let token = myna_node::web::random_hex::<24>();
        let mut sessions = self.sessions.lock().map_err(|_| ApiError::internal("lock"))?;
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, (_, exp)| *exp >= now);
        }
        sessions.insert(token.clone(), (staff.account.clone(), expires));
        tracing::info!(account = %staff.account, role = %staff.role, "staff signed in");
        Ok(StaffSession { session: token, staff, expires })
    }

    /// A member of staff signs in at a node's own page with their card in the reader beside
    /// it (the demo's reader): the node's challenge signed after the PIN, then [`Self::login`].
    pub async fn login_with_reader(
        &self,
        reader: &dyn myna_pki::reader::CardReader,
        card: &str,
        pin: &str,
    ) -> Result<StaffSession, ApiError> {
        use base64ct::{Base64, Encoding as _};
        let challenge = self.challenge().await?.challenge;
        let parsed = myna_pki::login::Challenge::parse(&challenge).map_err(ApiError::internal)?;
        let signed = reader
            .sign(card, myna_pki::CertKind::UserAuth, pin, &parsed.digest())
            .map_err(|e| ApiError::unauthorized("card", format!("the card did not sign: {e}")))?;
        self.login(LoginBody {
            challenge,
            certificate: Base64::encode_string(&signed.certificate),
            signature: Base64::encode_string(&signed.signature),
        })
        .await
    }

    /// The member of staff a request's session names, read again from the directory so a
    /// removed account or a changed role counts at once. `None`: no such session.
    pub async fn staff(&self, headers: &HeaderMap) -> Result<Option<Staff>, ApiError> {
        let Some(token) = myna_node::bearer(headers) else { return Ok(None) };
        self.staff_of(token).await
    }

    /// [`Self::staff`] for a session token carried otherwise (a page's cookie).
    pub async fn staff_of(&self, token: &str) -> Result<Option<Staff>, ApiError> {
        let account = {
            let sessions = self.sessions.lock().map_err(|_| ApiError::internal("lock"))?;
            match sessions.get(token) {
                Some((a, exp)) if *exp >= myna_node::now_secs() => a.clone(),
                _ => return Ok(None),
            }
        };
        Ok(self.directory.by_account(&account).await?)
    }
}

type St = State<Arc<StaffLogin>>;

/// A challenge for a staff card to sign.
#[utoipa::path(post, path = "/v1/staff/challenge", tag = "staff", responses((status = 201, body = ChallengeView), (status = 502, description = "J-LIS is not reachable")))]
pub async fn staff_challenge(State(s): St) -> Result<(StatusCode, Json<ChallengeView>), ApiError> {
    Ok((StatusCode::CREATED, Json(s.challenge().await?)))
}

/// A member of staff signs in with their card.
#[utoipa::path(post, path = "/v1/staff/login", tag = "staff", request_body = LoginBody,
    responses((status = 201, body = StaffSession), (status = 400, description = "not JSON"), (status = 401, description = "the login was refused, with the reason"),
        (status = 403, description = "the card is not bound to a staff account here"), (status = 415, description = "not sent as application/json"),
        (status = 422, description = "a field is missing or of the wrong type"), (status = 502, description = "J-LIS is not reachable")))]
pub async fn staff_login(
    State(s): St,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<(StatusCode, Json<StaffSession>), ApiError> {
    Ok((StatusCode::CREATED, Json(s.login(body).await?)))
}

/// The two sign-in routes, for a node to merge.
pub fn routes(s: Arc<StaffLogin>) -> Router {
    Router::new()
        .route("/v1/staff/challenge", post(staff_challenge))
        .route("/v1/staff/login", post(staff_login))
        .with_state(s)
}
