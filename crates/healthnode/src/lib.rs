//! The health node (`myna node health`): オンライン資格確認等システム, the role of 支払基金 and
//! 国保中央会, and the public medical hub (PMH).
//!
//! - `inbox.rs`: what the hub delivers — insurers' eligibility, municipalities' PMH records,
//!   the portal's card registrations — each under this node's own code for the person.
//! - `reception.rs`: facilities ask for a challenge, the patient's card signs it after the PIN
//!   or a face match, the patient's consent comes with it; the answer is the eligibility on
//!   the day and a reception id that opens only the consented information.
//! - `lookup.rs`: batch query (一括照会) and query by the card's printed fields.
//! - `operator.rs`: facilities registered with a key; claims files loaded (`upload.rs`: read
//!   line by line as the file arrives, so the node keeps the parsed claims, not the text).
//! - `reminders.rs`: vaccination reminders sent to residents as notices, once per dose.
//! - `source.rs`: the resident's own view, answered to the portal through the hub.
//! - `checklog.rs`: every identity check and consent, group-committed before the answer.
//! - `web.rs`: the reception page for a facility's staff.

pub mod access;
mod checklog;
mod edge;
mod error;
mod face;
mod inbox;
mod lookup;
mod openapi;
mod operator;
mod reader;
mod reception;
mod reminders;
mod source;
pub mod store;
mod upload;
mod view;
mod web;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, RwLock},
};

use myna_linkage::agency::{Agency, AgencyConfig};
use myna_node::{Metrics, NodeIdentity, RunningNode};
use myna_pki::{
    login::{ChallengeBook, LoginVerifier},
    reader::CardReader,
};
use myna_rp::CrlCache;
use myna_store::Db;
use sha2::{Digest, Sha256};
use store::{FacilityRow, HealthStore};

pub use face::{FaceMatcher, StandInFace};
pub use myna_link::HEALTH_ID;
pub use operator::{ClaimsLoaded, FacilityNew, load_claims};

pub use error::{HealthError, Refusal};

pub struct HealthConfig {
    pub jlis_url: String,
    pub hub_url: String,
    /// The demo country's cards, for the reception page's reader, and the PIN that stands in
    /// for the reader unlocking a card after a face match; `None` in a real deployment (the
    /// facility's face-recognition reader signs through the API).
    pub cards: Option<(Arc<dyn CardReader>, String)>,
    /// The demo's staff cards, for the reception page's sign-in; `None` in a deployment
    /// (staff sign in with their card through `/v1/staff/login`).
    pub staff_cards: Option<Arc<dyn CardReader>>,
}

/// A facility's reception staff: `reception:<facility code>`.
pub const STAFF_ROLES: myna_rp::staff::Roles = myna_rp::staff::Roles {
    describe: "reception:<facility code (10 digits)>",
    valid: |r| r.strip_prefix("reception:").is_some_and(|c| c.len() == 10 && c.bytes().all(|b| b.is_ascii_digit())),
};

/// Registered facilities by code, kept in memory (read on every reception).
pub(crate) type Facilities = Arc<RwLock<HashMap<String, FacilityRow>>>;

pub struct Health {
    pub store: HealthStore,
    pub agency: Arc<Agency>,
    verifier: LoginVerifier,
    crl: CrlCache,
    jlis: reqwest::Client,
    /// One book of outstanding challenges per facility: a challenge is good only where it
    /// was issued, once.
    books: Mutex<HashMap<String, ChallengeBook>>,
    /// Registered facilities by code, shared with the copy source (their names in the view).
    facilities: Facilities,
    /// Certificates whose issuer signature was verified, by the SHA-256 of their base64.
    seen: Mutex<HashMap<[u8; 32], Arc<myna_pki::CardCert>>>,
    log: checklog::Writer,
    operator_hash: [u8; 32],
    cards: Option<Arc<dyn CardReader>>,
    face_pin: Option<String>,
    web: web::Sessions,
    /// Facility staff, each a named account bound to their staff card.
    pub staff: Arc<myna_rp::staff::StaffLogin>,
    staff_cards: Option<Arc<dyn CardReader>>,
}

pub struct Started {
    pub api: RunningNode,
    pub node: RunningNode,
    pub health: Arc<Health>,
    pub operator_token: String,
}

fn sha(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

/// Starts the facility API and reception pages on `api` and the node's linkage side (an
/// agency of kind health, registered with the hub) on `node_addr`. `identity` must be named
/// [`HEALTH_ID`].
pub async fn start(
    db: Db,
    identity: &NodeIdentity,
    api: SocketAddr,
    node_addr: SocketAddr,
    config: HealthConfig,
) -> Result<Started, HealthError> {
    let (jlis, trust, crl) =
        myna_rp::connect_jlis(&identity.ca_pem, &config.jlis_url).await.map_err(HealthError::setup)?;
    let metrics = Metrics::new("health");
    metrics.watch_db(&db);
    let operator = hex::encode(db.secret_or_init("health_operator_token").await?);
    let store = HealthStore::open(db.clone()).await?;
    let staff = Arc::new(myna_rp::staff::StaffLogin::new(
        format!("staff@{HEALTH_ID}"),
        identity.ca_pem.clone(),
        Some(config.jlis_url.clone()),
        myna_rp::staff::StaffDirectory::open(db.clone(), STAFF_ROLES).await?,
    ));
    let facilities: Facilities =
        Arc::new(RwLock::new(store.facilities().await?.into_iter().map(|f| (f.code.clone(), f)).collect()));
    let source_facilities = facilities.clone();
    let inbox_store = store.clone();
    let started = myna_linkage::agency::start_with(
        db,
        identity,
        node_addr,
        AgencyConfig {
            name: "社会保険診療報酬支払基金（オンライン資格確認等システム）".into(),
            hub_url: config.hub_url.clone(),
            jlis_url: config.jlis_url.clone(),
            login_service: None,
        },
        move |agency| {
            agency.set_source(Arc::new(source::Source(inbox_store.clone(), source_facilities)));
            inbox::routes(inbox::Inbox { agency, store: inbox_store })
        },
    )
    .await?;
    let health = Arc::new(Health {
        log: checklog::Writer::start(store.clone()),
        store,
        agency: started.agency,
        verifier: LoginVerifier::new(trust, b"health: no pseudonyms are made"),
        crl,
        jlis,
        books: Mutex::new(HashMap::new()),
        facilities,
        seen: Mutex::new(HashMap::new()),
        operator_hash: sha(operator.as_bytes()),
        face_pin: config.cards.as_ref().map(|(_, p)| p.clone()),
        cards: config.cards.map(|(c, _)| c),
        web: web::Sessions::default(),
        staff: staff.clone(),
        staff_cards: config.staff_cards,
    });
    CrlCache::keep_fresh(&health, health.jlis.clone(), std::time::Duration::from_secs(60), |h| {
        (&h.crl, h.verifier.trust())
    });
    health.spawn_reminders();
    let h = health.clone();
    metrics.gauge("check_log_queue", "Eligibility checks waiting for the check log's writer", move || {
        h.log.queued() as i64
    });
    let routes = reception::routes(health.clone())
        .merge(lookup::routes(health.clone()))
        .merge(operator::routes(health.clone()))
        .merge(web::routes(health.clone()))
        .merge(myna_rp::staff::routes(staff))
        .route_layer(axum::middleware::from_fn_with_state(access::TABLE, myna_node::access::authorize));
    let api = myna_node::serve(routes, openapi::json(), metrics, identity, api).await?;
    Ok(Started { api, node: started.node, health, operator_token: operator })
}

impl Health {
    /// Fetches J-LIS's current CRL now (it is also refreshed every minute).
    pub async fn refresh_crl(&self) -> Result<usize, myna_rp::CrlError> {
        self.crl.refresh(&self.jlis, self.verifier.trust()).await
    }

    fn operator_ok(&self, token: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(&sha(token.as_bytes()), &self.operator_hash).is_ok()
    }

    /// The facility a `Bearer <code>:<key>` names, if the key is its own.
    fn facility(&self, token: &str) -> Option<FacilityRow> {
        let (code, key) = token.split_once(':')?;
        let f = self.facilities.read().ok()?.get(code)?.clone();
        let want = hex::decode(&f.key_hash).ok()?;
        aws_lc_rs::constant_time::verify_slices_are_equal(&sha(key.as_bytes()), &want).ok()?;
        Some(f)
    }
}
