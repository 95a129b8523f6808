//! The hub (情報提供ネットワークシステム): the directory of agency nodes, code issuance for
//! J-LIS, the permission check and code translation for each query, and the transparency log.
//! It routes payloads it cannot open and stores none.

mod correct;
mod directory;
mod error;
mod log;
mod notify;
mod presence;
mod query;
mod records;
mod routes;
mod store;
mod tile_store;

use std::{
    collections::{HashMap, HashSet},
    net::SocketAddr,
    sync::{Arc, Mutex, RwLock},
};

use myna_link::{AgencyId, CodeBook, Layouts, LinkId, NetworkTrust, NodeKey, PermissionTable};
use myna_node::{ClientAuth, Metrics, NodeIdentity, RunningNode};
use myna_store::Db;

pub use error::HubError;
pub use log::{Log, LogError, ORIGIN as LOG_ORIGIN, SignedHead};
pub use myna_link::SELF_INFORMATION;
pub use myna_link::hub_api::{
    DirectoryEntry, HeadView, PersonRecords, PersonRequest, ProofView, RecordView, Registered,
};
pub use query::Handled;
pub use routes::{TABLE, openapi_json};
pub use store::{AgencyRow, HubStore, LogRow, NewEntry, SCHEMA};

/// The hub's id on the network (its certificate's common name).
pub const HUB_ID: &str = "hub";
/// J-LIS's id: the only node that may ask for codes.
pub const JLIS_ID: &str = "jlis";
/// Exchange records are kept 7 years (番号法 and its ordinances).
pub const RETENTION_DAYS: i64 = 7 * 366;

pub struct Hub {
    pub id: AgencyId,
    pub store: HubStore,
    pub key: Arc<NodeKey>,
    pub trust: NetworkTrust,
    codes: CodeBook,
    pub table: PermissionTable,
    pub layouts: Layouts,
    pub log: Log,
    client: reqwest::Client,
    directory: RwLock<HashMap<AgencyId, AgencyRow>>,
    /// (requester, message id) being handled: a concurrent resend waits for the first.
    in_flight: Mutex<HashSet<(AgencyId, String)>>,
    /// J-LIS's URL, where residents' login proofs are checked.
    pub jlis: std::sync::OnceLock<String>,
    presence: Mutex<presence::Checked>,
}

impl Hub {
    pub async fn open(db: Db, identity: &NodeIdentity) -> Result<Self, HubError> {
        let store = HubStore::open(db.clone()).await?;
        let key = Arc::new(
            NodeKey::from_pem(&identity.cert_pem, &identity.key_pem).map_err(|e| HubError::Setup(e.to_string()))?,
        );
        let trust = NetworkTrust::from_ca_pem(&identity.ca_pem).map_err(|e| HubError::Setup(e.to_string()))?;
        let codes = CodeBook::new(db.secret_or_init("hub_code_master").await?);
        let table = PermissionTable::shipped().map_err(|e| HubError::Setup(e.to_string()))?;
        let layouts = Layouts::shipped().map_err(|e| HubError::Setup(e.to_string()))?;
        let directory = store.agencies().await?.into_iter().filter_map(|a| Some((a.id.parse().ok()?, a))).collect();
        let log = Log::open(store.clone(), key.clone()).await?;
        Ok(Self {
            id: key.id().clone(),
            store,
            key,
            trust,
            codes,
            table,
            layouts,
            log,
            client: identity.client()?,
            directory: RwLock::new(directory),
            in_flight: Mutex::new(HashSet::new()),
            jlis: std::sync::OnceLock::new(),
            presence: Mutex::new(presence::Checked::default()),
        })
    }

    /// The person's tag in the log.
    pub fn subject(&self, link: LinkId) -> String {
        self.codes.log_tag(link)
    }

    fn agency(&self, id: &AgencyId) -> Option<AgencyRow> {
        self.directory.read().ok()?.get(id).cloned()
    }
}

/// Starts the hub on `addr`: mutual TLS, only nodes of the network connect.
pub async fn start(db: Db, identity: &NodeIdentity, addr: SocketAddr) -> Result<(RunningNode, Arc<Hub>), HubError> {
    let hub = Arc::new(Hub::open(db, identity).await?);
    let expire = hub.clone();
    tokio::spawn(async move {
        loop {
            let before = crate::now_ms() - RETENTION_DAYS * 86_400_000;
            match expire.store.expire(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, "exchange records past retention cleared (leaf hashes kept)"),
                Err(e) => tracing::warn!(error = %e, "retention sweep"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    let metrics = Metrics::new("hub");
    metrics.watch_db(hub.store.db());
    let h = hub.clone();
    metrics.gauge("log_entries", "Entries in the hub's transparency log (its latest signed head)", move || {
        i64::try_from(h.log.size()).unwrap_or(i64::MAX)
    });
    let h = hub.clone();
    metrics.gauge("log_queue", "Exchanges waiting for the log writer", move || h.log.queued() as i64);
    let node = myna_node::serve_with(
        routes::routes(hub.clone()),
        openapi_json(),
        metrics,
        identity,
        addr,
        ClientAuth::Required,
    )
    .await?;
    Ok((node, hub))
}
