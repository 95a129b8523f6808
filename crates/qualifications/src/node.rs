//! Starting the qualification system: an agency node with its own routes beside the agency's.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, OnceLock},
};

use myna_linkage::agency::{self, Agency, AgencyConfig};
use myna_node::NodeIdentity;
use myna_store::Db;
use utoipa::OpenApi as _;

use crate::Qualifications;

pub struct Started {
    pub agency: agency::Started,
    pub qualifications: Arc<Qualifications>,
}

/// Starts the qualification system on `addr`.
pub async fn start(db: Db, identity: &NodeIdentity, addr: SocketAddr, config: AgencyConfig) -> Result<Started, String> {
    let prepared = Mutex::new(Some(Qualifications::prepare(db.clone()).await.map_err(|e| e.to_string())?));
    let cell: Arc<OnceLock<Arc<Qualifications>>> = Arc::default();
    let c = cell.clone();
    let routes = move |a: Arc<Agency>| match prepared.lock().ok().and_then(|mut p| p.take()) {
        Some(p) => {
            let q = Arc::new(p.with(a));
            let _ = c.set(q.clone());
            crate::routes::routes(q)
        }
        None => axum::Router::new(),
    };
    let doc = crate::TABLE.document(&crate::routes::Doc::openapi().to_json().unwrap_or_default());
    let agency =
        agency::start_documented(db, identity, addr, config, routes, Some(doc)).await.map_err(|e| e.to_string())?;
    let qualifications = cell.get().cloned().ok_or("the node did not start its routes")?;
    let _ = qualifications.issuer.set(agency.node.url());
    // Every hour, the registrations are classed at J-LIS (deaths, name changes).
    let q = Arc::downgrade(&qualifications);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            let Some(q) = q.upgrade() else { break };
            if let Err(e) = q.sync().await {
                tracing::warn!(error = %e, "the registrations could not be classed at J-LIS; next hour again");
            }
        }
    });
    Ok(Started { agency, qualifications })
}
