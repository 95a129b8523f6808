//! The J-LIS node (`myna node jlis`): the resident registry over HTTPS. Clerks record life
//! events, look people up by the basic 4 items, read a record with its history and
//! household, and verify that a number belongs to the person in front of them.

mod access;
mod api;
mod cards;
mod cards_api;
mod edge;
mod error;
mod handlers;
mod holder;
mod inspection;
pub mod issuance_log;
mod jpki;
pub mod kiosk;
mod kiosk_routes;
mod linkage;
mod moves;
mod openapi;
mod presence;
mod registry;
mod state;
pub mod store;

use std::{net::SocketAddr, sync::Arc};

use myna_node::{Metrics, NodeIdentity, RunningNode, TlsError};
use store::RegistryStore;

pub use access::{Caller, HOTLINE, MUNICIPAL_TASKS, TABLE as AUTHORIZATION};
pub use api::*;
pub use cards_api::*;
pub use error::JlisError;
pub use inspection::{INSPECTION_BATCH_MAX, InspectionLine, InspectionRequest, InspectionResult};
pub use jpki::consent_text;
pub use moves::{MoveInRequest, MoveNotice, MoveOutRecorded};
pub use openapi::openapi_json;
pub use state::{Jlis, STAFF_ROLES, SetupError};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("linkage: {0}")]
    Linkage(String),
}

/// Starts the J-LIS node on `addr` with `store`: the registry, cards and the JPKI authority
/// (created in the database on first start).
pub async fn start(store: RegistryStore, identity: &NodeIdentity, addr: SocketAddr) -> Result<RunningNode, StartError> {
    start_with_hub(store, identity, addr, None).await
}

/// [`start`], connected to the linkage network's hub at `hub` for code acquisition.
pub async fn start_with_hub(
    store: RegistryStore,
    identity: &NodeIdentity,
    addr: SocketAddr,
    hub: Option<&str>,
) -> Result<RunningNode, StartError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let jlis = Arc::new(Jlis::open(store, now).await?);
    if let Some(hub) = hub {
        let key = jlis.link_key().await?;
        let link = linkage::Linkage::new(identity, hub, &key).map_err(StartError::Linkage)?;
        let _ = jlis.linkage.set(link);
    }
    let directory = myna_rp::staff::StaffDirectory::open(jlis.registry.db().clone(), state::STAFF_ROLES)
        .await
        .map_err(SetupError::Store)?;
    let staff =
        Arc::new(myna_rp::staff::StaffLogin::new("staff@jlis".into(), identity.ca_pem.clone(), None, directory));
    let _ = jlis.staff.set(staff.clone());
    if let Ok(key) = myna_link::NodeKey::from_pem(&identity.cert_pem, &identity.key_pem) {
        let _ = jlis.signer.set(key);
    }
    let metrics = Metrics::new("jlis");
    metrics.watch_db(jlis.registry.db());
    let routes = handlers::routes(jlis.clone())
        .merge(cards::routes(jlis.clone()))
        .merge(kiosk_routes::routes(jlis.clone()))
        .merge(myna_rp::staff::routes(staff.clone()))
        .route_layer(axum::middleware::from_fn_with_state(access::TABLE, myna_node::access::authorize));
    // Client certificates are optional at the handshake: residents' tools and verifiers
    // connect without one; the authorization table then says which routes need which.
    let node =
        myna_node::serve_with(routes, openapi_json(), metrics, identity, addr, myna_node::ClientAuth::Optional).await?;
    let _ = jlis.base_url.set(node.url());
    staff.set_jlis(node.url());
    Ok(node)
}
