//! Myna Portal (マイナポータル), `myna node portal`: the resident's site and the services on it.
//!
//! - Login with the card (`login.rs`): a one-time challenge shown as text and QR code, signed
//!   by the holder's tool (`myna card login --challenge`) or, in the demo, by a card reader
//!   page; the session knows the resident by the portal's own linkage code, never the number.
//! - わたしの情報 (`myinfo.rs`): the resident's information fetched through the linkage
//!   network as the portal's self-information function.
//! - やりとり履歴 (`history.rs`): the hub's log entries about the resident, each inclusion
//!   proof checked, and the log checked consistent with the heads seen before.
//! - お知らせ (`notices.rs`): agencies' notices through the hub, live without reloading.
//! - ぴったりサービス (`apply.rs`, `clerk.rs`): find a procedure, fill its form, sign it with
//!   the signing certificate, submit; the municipality's clerk reads, verifies, sets status.
//! - 自己情報取得API (`oauth.rs`): OAuth 2.0 / OpenID Connect for private services.
//!
//! Pages are server-rendered (maud escapes every value), Japanese by default with English.

pub mod access;
mod accounts;
mod deposits;
mod documents;
mod moving;
mod present;
mod qualifications;
pub use clerk::CLERK_ROLES;
mod api;
mod apply;
mod clerk;
mod error;
mod health;
mod history;
mod identity_log;
mod login;
mod myinfo;
mod notices;
mod oauth;
mod oauth_codes;
pub mod oauth_params;
mod page;
mod session;
mod signed_push;
pub mod store;
mod throttle;

use std::{net::SocketAddr, sync::Arc};

use myna_linkage::agency::{Agency, AgencyConfig};
use myna_node::{Metrics, NodeIdentity, RunningNode};
use myna_pittari::Catalogue;
use myna_pki::login::LoginVerifier;
use myna_store::Db;
use store::PortalStore;

pub use myna_link::PORTAL_ID;
pub use myna_pki::reader::{CardInfo, CardReader, CardSignature};

pub use error::PortalError;
pub use notices::{Inbox, Live, inbox_routes};

/// Where the portal finds the rest of the country.
pub struct PortalConfig {
    pub jlis_url: String,
    pub hub_url: String,
    /// The portal's public origin (`https://host:port`), written into login challenges and
    /// the OpenID issuer.
    pub public_url: String,
    /// The demo country's cards, for the card-reader page; `None` in a real deployment.
    pub cards: Option<Arc<dyn CardReader>>,
}

pub struct Portal {
    pub store: PortalStore,
    pub agency: Arc<Agency>,
    pub catalogue: Catalogue,
    /// The permission table, read once: which agency kinds provide which items.
    table: myna_link::PermissionTable,
    login: login::LoginState,
    sessions: session::Sessions,
    notices: notices::Live,
    oauth: oauth::OAuth,
    jlis: reqwest::Client,
    jlis_url: String,
    public_url: String,
    cards: Option<Arc<dyn CardReader>>,
    myinfo: myinfo::Cache,
    drafts: apply::Drafts,
    /// Clerks' failed sign-ins, per account name.
    clerk_throttle: throttle::Throttle,
    /// Municipal clerks as named staff, each bound to their staff card (`clerk:<code>`).
    pub staff: myna_rp::staff::StaffDirectory,
    /// The operator's token for registering OAuth clients and clerks.
    operator_hash: [u8; 32],
    /// The qualification system's URL, once connected.
    qualifications: std::sync::OnceLock<String>,
}

/// A running portal: its web server, its linkage node, and the operator's token.
pub struct Started {
    pub web: RunningNode,
    pub node: RunningNode,
    pub portal: Arc<Portal>,
    pub operator_token: String,
}

/// Starts the portal's web server on `web` and its linkage node (an agency of kind portal,
/// registered with the hub) on `node_addr`. `identity` must be named [`PORTAL_ID`].
pub async fn start(
    db: Db,
    identity: &NodeIdentity,
    web: SocketAddr,
    node_addr: SocketAddr,
    config: PortalConfig,
) -> Result<Started, PortalError> {
    let (_, trust, crl) =
        myna_rp::connect_jlis(&identity.ca_pem, &config.jlis_url).await.map_err(PortalError::setup)?;
    // J-LIS answers the signed-in resident's access log only to the portal's certificate.
    let jlis = identity.client().map_err(PortalError::setup)?;
    let metrics = Metrics::new("portal");
    metrics.watch_db(&db);
    let pseudonym_key = db.secret_or_init("portal_pseudonym_key").await?;
    let operator = hex::encode(db.secret_or_init("portal_operator_token").await?);
    let store = PortalStore::open(db.clone()).await?;
    let live = notices::Live::new();
    let (inbox_store, inbox_live) = (store.clone(), live.clone());
    let started = myna_linkage::agency::start_with(
        db.clone(),
        identity,
        node_addr,
        AgencyConfig {
            name: "マイナポータル".into(),
            hub_url: config.hub_url.clone(),
            jlis_url: config.jlis_url.clone(),
            login_service: Some(config.public_url.clone()),
        },
        move |agency| notices::inbox_routes(notices::Inbox { agency, store: inbox_store, live: inbox_live }),
    )
    .await?;
    let oauth = oauth::OAuth::new(&identity.key_pem, &config.public_url).map_err(PortalError::setup)?;
    let portal = Arc::new(Portal {
        store,
        agency: started.agency,
        catalogue: Catalogue::shipped().map_err(PortalError::setup)?,
        table: myna_link::PermissionTable::shipped().map_err(PortalError::setup)?,
        login: login::LoginState::new(LoginVerifier::new(trust, &pseudonym_key), &config.public_url, crl),
        sessions: session::Sessions::default(),
        notices: live,
        oauth,
        jlis,
        jlis_url: config.jlis_url,
        public_url: config.public_url,
        cards: config.cards,
        myinfo: myinfo::Cache::default(),
        drafts: apply::Drafts::default(),
        clerk_throttle: throttle::Throttle::default(),
        staff: myna_rp::staff::StaffDirectory::open(db.clone(), clerk::CLERK_ROLES).await?,
        operator_hash: sha(operator.as_bytes()),
        qualifications: std::sync::OnceLock::new(),
    });
    myna_rp::CrlCache::keep_fresh(&portal, portal.jlis.clone(), std::time::Duration::from_secs(60), |p| {
        (&p.login.crl, p.login.verifier.trust())
    });
    let routes = routes(portal.clone());
    let web = myna_node::serve(routes, api::openapi_json(), metrics, identity, web).await?;
    Ok(Started { web, node: started.node, portal, operator_token: operator })
}

fn sha(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
}

impl Portal {
    fn operator_ok(&self, token: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(&sha(token.as_bytes()), &self.operator_hash).is_ok()
    }
}

/// Every page and API route of the portal's web server, each feature's routes merged here
/// (features use the page helpers in `page.rs`; nothing below reaches back up).
fn routes(p: Arc<Portal>) -> axum::Router {
    axum::Router::new()
        .route("/", axum::routing::get(page::home))
        .route("/lang/{lang}", axum::routing::get(page::set_lang))
        .route(
            "/static/tokens.css",
            axum::routing::get(|| async {
                myna_node::web::static_file(myna_node::web::TOKENS_CSS, "text/css; charset=utf-8")
            }),
        )
        .route(
            "/static/portal.css",
            axum::routing::get(|| async {
                myna_node::web::static_file(myna_node::web::SITE_CSS, "text/css; charset=utf-8")
            }),
        )
        .route(
            "/static/portal.js",
            axum::routing::get(|| async {
                myna_node::web::static_file(include_str!("../static/portal.js"), "text/javascript; charset=utf-8")
            }),
        )
        .route(
            "/static/verify.js",
            axum::routing::get(|| async {
                myna_node::web::static_file(myna_node::web::VERIFY_JS, "text/javascript; charset=utf-8")
            }),
        )
        .merge(crate::documents::routes())
        .merge(crate::qualifications::routes())
        .merge(crate::present::routes())
        .merge(crate::login::routes())
        .merge(crate::myinfo::routes())
        .merge(crate::history::routes())
        .merge(crate::identity_log::routes())
        .merge(crate::notices::routes())
        .merge(crate::accounts::routes())
        .merge(crate::deposits::routes())
        .merge(crate::moving::routes())
        .merge(crate::apply::routes())
        .merge(crate::clerk::routes())
        .merge(crate::oauth::routes())
        .merge(crate::health::routes())
        .route_layer(axum::middleware::from_fn_with_state(crate::access::TABLE, myna_node::access::authorize))
        .layer(axum::extract::DefaultBodyLimit::max(page::FORM_LIMIT))
        .layer(axum::middleware::map_response(myna_node::web::security_headers))
        .with_state(p)
}
