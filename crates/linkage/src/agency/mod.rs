//! An agency's node (中間サーバー): its people known by its own codes, the copies (副本) it may
//! provide, answers to the hub's permitted queries (sealed to the requester), its clerks'
//! queries, and its own record of both.

mod ask;
mod enrol;
mod error;
mod inspect;
mod inspect_routes;
mod provide;
mod push;
mod receipt;
mod routes;
mod store;
mod suspects;

use std::{net::SocketAddr, sync::Arc};

use myna_link::{AgencyId, Envelope, Layouts, NetworkTrust, NodeKey, Registration, seal::SealKey};
use myna_node::{ClientAuth, Metrics, NodeIdentity, RunningNode};
use myna_store::{Db, StoreError};
use sha2::{Digest, Sha256};

use crate::{
    hub::{HUB_ID, JLIS_ID},
    wire::{now_secs, post_jws},
};

pub use error::AgencyError;
pub use myna_link::clerk_api::{NoticeSend, NoticeSent, QueryRequest, QueryResult};
pub use receipt::RECEIPT_AFTER;
pub use routes::{CLERK, Clerk, HUB_ONLY, TABLE, clerk_gate, openapi_json};
pub use store::{AgencyStore, ExchangeRow, SCHEMA};
pub use suspects::{Status as SuspectStatus, SuspectRow};

/// Where the agency's node finds the network.
#[derive(Debug, Clone)]
pub struct AgencyConfig {
    /// The agency's name, for the hub's directory (e.g. 千代田区).
    pub name: String,
    pub hub_url: String,
    /// J-LIS, for code acquisition (符号取得).
    pub jlis_url: String,
    /// A portal's origin, named in its residents' login challenges (`Registration`).
    pub login_service: Option<String>,
}

pub struct Agency {
    pub id: AgencyId,
    pub store: AgencyStore,
    key: NodeKey,
    seal: SealKey,
    trust: NetworkTrust,
    pub layouts: Layouts,
    config: AgencyConfig,
    client: reqwest::Client,
    hub: AgencyId,
    jlis: AgencyId,
    clerk_token_hash: [u8; 32],
    /// Named clerks, signed in with their staff cards.
    pub staff: Arc<myna_rp::staff::StaffLogin>,
    /// This node's own URL, known once it listens.
    url: std::sync::OnceLock<String>,
    /// Where answers come from when they are computed rather than stored copies (the health
    /// node's medical information); set once at start.
    source: std::sync::OnceLock<Arc<dyn CopySource>>,
}

/// A future a [`CopySource`] returns.
pub type CopyFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<(myna_link::Version, String)>, String>> + Send + 'a>,
>;

/// Answers for items a node computes from its own records instead of keeping copies (副本):
/// `None` when it holds nothing for the code.
pub trait CopySource: Send + Sync {
    fn handles(&self, item: myna_link::InfoItem) -> bool;
    fn copy<'a>(&'a self, code: &'a str, item: myna_link::InfoItem) -> CopyFuture<'a>;
}

fn parse_id(s: &str) -> Result<AgencyId, AgencyError> {
    s.parse().map_err(|e: myna_link::CodeError| AgencyError::Setup(e.to_string()))
}

impl Agency {
    pub async fn open(db: Db, identity: &NodeIdentity, config: AgencyConfig) -> Result<(Self, String), AgencyError> {
        let setup = |e: &dyn std::fmt::Display| AgencyError::Setup(e.to_string());
        let key = NodeKey::from_pem(&identity.cert_pem, &identity.key_pem).map_err(|e| setup(&e))?;
        key.id().kind().map_err(|e| AgencyError::Setup(format!("the node's certificate name {}: {e}", key.id())))?;
        let seal_hex = db
            .meta_or_init("agency_seal_key", || {
                SealKey::generate().and_then(|k| k.secret_hex()).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .await?;
        let seal = SealKey::from_secret_hex(&seal_hex).map_err(|e| setup(&e))?;
        let token = hex::encode(db.secret_or_init("agency_clerk_token").await?);
        let directory = myna_rp::staff::StaffDirectory::open(db.clone(), STAFF_ROLES).await?;
        let staff = Arc::new(myna_rp::staff::StaffLogin::new(
            format!("staff@{}", key.id()),
            identity.ca_pem.clone(),
            Some(config.jlis_url.clone()),
            directory,
        ));
        let agency = Self {
            staff,
            id: key.id().clone(),
            store: AgencyStore::open(db).await?,
            trust: NetworkTrust::from_ca_pem(&identity.ca_pem).map_err(|e| setup(&e))?,
            key,
            seal,
            layouts: Layouts::shipped().map_err(|e| setup(&e))?,
            client: identity.client()?,
            hub: parse_id(HUB_ID)?,
            jlis: parse_id(JLIS_ID)?,
            clerk_token_hash: Sha256::digest(token.as_bytes()).into(),
            config,
            url: std::sync::OnceLock::new(),
            source: std::sync::OnceLock::new(),
        };
        Ok((agency, token))
    }

    fn sign<T: serde::Serialize>(&self, to: &AgencyId, body: T) -> Result<(myna_link::MessageId, String), AgencyError> {
        let env = Envelope::new(self.id.clone(), to.clone(), now_secs(), body);
        let jws = self.key.sign(&env).map_err(AgencyError::internal)?;
        Ok((env.id, jws))
    }

    /// Registers this node in the hub's directory (its URL and encryption key).
    pub async fn register(&self) -> Result<(), AgencyError> {
        let url = self.url.get().cloned().unwrap_or_default();
        let reg = Registration {
            url,
            seal_key: self.seal.public_hex(),
            name: self.config.name.clone(),
            login_service: self.config.login_service.clone(),
        };
        let (_, jws) = self.sign(&self.hub, reg)?;
        post_jws(&self.client, &format!("{}/v1/agencies", self.config.hub_url), jws).await?;
        Ok(())
    }

    /// The network CA, to check what other nodes signed.
    pub fn trust(&self) -> &NetworkTrust {
        &self.trust
    }

    /// A client with this node's certificate (mutual TLS), for the hub's read API.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sets where computed answers come from (once).
    pub fn set_source(&self, source: Arc<dyn CopySource>) {
        let _ = self.source.set(source);
    }

    pub fn hub_url(&self) -> &str {
        &self.config.hub_url
    }

    pub fn jlis_url(&self) -> &str {
        &self.config.jlis_url
    }

    /// The agency's name (千代田区).
    pub fn name(&self) -> &str {
        &self.config.name
    }

    fn clerk_ok(&self, token: &str) -> bool {
        let h: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        aws_lc_rs::constant_time::verify_slices_are_equal(&h, &self.clerk_token_hash).is_ok()
    }
}

/// The roles an agency's administrator gives its staff: a clerk may use the whole clerk API.
pub const STAFF_ROLES: myna_rp::staff::Roles = myna_rp::staff::Roles { describe: "clerk", valid: |r| r == "clerk" };

/// A started agency node: the server, the agency, and the token of the agency's own business
/// system for its API (machine-to-machine; people sign in with their staff cards).
pub struct Started {
    pub node: RunningNode,
    pub agency: Arc<Agency>,
    pub clerk_token: String,
}

/// Starts an agency node on `addr` and registers it with the hub (retrying in the background
/// until the hub answers).
pub async fn start(
    db: Db,
    identity: &NodeIdentity,
    addr: SocketAddr,
    config: AgencyConfig,
) -> Result<Started, AgencyError> {
    start_with(db, identity, addr, config, |_| axum::Router::new()).await
}

/// [`start`], with routes of the node's own added (the portal's node adds where the hub
/// delivers notices).
pub async fn start_with(
    db: Db,
    identity: &NodeIdentity,
    addr: SocketAddr,
    config: AgencyConfig,
    extra: impl FnOnce(Arc<Agency>) -> axum::Router,
) -> Result<Started, AgencyError> {
    start_documented(db, identity, addr, config, extra, None).await
}

/// [`start_with`], where the added routes are an API of their own: `doc` (OpenAPI) joins the
/// node's document.
pub async fn start_documented(
    db: Db,
    identity: &NodeIdentity,
    addr: SocketAddr,
    config: AgencyConfig,
    extra: impl FnOnce(Arc<Agency>) -> axum::Router,
    doc: Option<String>,
) -> Result<Started, AgencyError> {
    let (agency, clerk_token) = Agency::open(db, identity, config).await?;
    let agency = Arc::new(agency);
    let routes = routes::provider(agency.clone())
        .merge(routes::clerks(agency.clone()))
        .merge(myna_rp::staff::routes(agency.staff.clone()))
        .route_layer(axum::middleware::from_fn_with_state(routes::TABLE, myna_node::access::authorize))
        .merge(extra(agency.clone()));
    let metrics = Metrics::new("agency");
    metrics.watch_db(agency.store.db());
    // Optional client certificates: the hub and other nodes present theirs; clerks' tools
    // use the clerk token. Every protocol message is signed either way.
    let openapi = match doc {
        Some(more) => myna_node::access::merge_documents(&openapi_json(), &more),
        None => openapi_json(),
    };
    let node = myna_node::serve_with(routes, openapi, metrics, identity, addr, ClientAuth::Optional).await?;
    let _ = agency.url.set(node.url());
    receipt::spawn(Arc::downgrade(&agency), std::time::Duration::from_secs(30));
    if let Err(e) = agency.register().await {
        tracing::warn!(error = %e, "hub registration failed; retrying in the background");
        let a = agency.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                match a.register().await {
                    Ok(()) => break,
                    Err(e) => tracing::warn!(error = %e, "hub registration"),
                }
            }
        });
    }
    Ok(Started { node, agency, clerk_token })
}
