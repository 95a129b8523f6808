//! The benefit system as a node of its own (its own port, certificate, API and table), beside
//! the municipality's agency node, whose queries and notices it uses in process.

use std::{net::SocketAddr, sync::Arc};

use myna_linkage::agency::Agency;
use myna_node::{ClientAuth, Metrics, NodeIdentity, RunningNode};
use myna_store::Db;
use myna_zengin::Requester;

use crate::{Benefits, routes};

pub struct Started {
    pub node: RunningNode,
    pub benefits: Arc<Benefits>,
}

/// Starts the benefit system of `agency`'s municipality on `addr`, paying from `payer`; puts
/// itself in `cell` so the agency's inbox hands it residents' replies. The municipality's
/// moving desk, if given, has its arrivals page here (one office system, one staff sign-in).
pub async fn start(
    db: Db,
    agency: Arc<Agency>,
    identity: &NodeIdentity,
    addr: SocketAddr,
    (payer, portal): (Requester, &str),
    (cell, moving): (routes::Cell, Option<Arc<myna_moving::Moving>>),
    cards: Option<Arc<dyn myna_pki::reader::CardReader>>,
) -> Result<Started, String> {
    let benefits = Arc::new(Benefits::open(db, agency.clone(), payer, portal).await.map_err(|e| e.to_string())?);
    if let Ok(mut c) = cell.write() {
        *c = Some(benefits.clone());
    }
    let counter = Arc::new(
        crate::certificates::Counter::open(benefits.store().db().clone(), &agency).await.map_err(|e| e.to_string())?,
    );
    let web =
        Arc::new(crate::pages::Web { benefits: benefits.clone(), cards, moving, intake: Default::default(), counter });
    let app = routes::routes(benefits.clone(), agency)
        .merge(crate::pages::routes(web.clone()))
        .route_layer(axum::middleware::from_fn_with_state(routes::TABLE, myna_node::access::authorize));
    let node = myna_node::serve_with(
        app,
        routes::openapi_json(),
        Metrics::new("benefits"),
        identity,
        addr,
        ClientAuth::Optional,
    )
    .await
    .map_err(|e| e.to_string())?;
    // The certificate server tells J-LIS's issuance centre where it answers, so stores' kiosks
    // can issue this municipality's documents: at start (every second until J-LIS answers),
    // then every minute, so a J-LIS that restarted (it keeps the list in memory) learns it again.
    let agency = benefits.agency();
    let (client, url) = (agency.client().clone(), format!("{}/v1/issuers", agency.jlis_url()));
    let here = myna_jlis::kiosk::IssuerRegistration {
        url: node.url(),
        keys: serde_json::to_value(web.counter.keys()).unwrap_or_default(),
    };
    tokio::spawn(async move {
        let mut registered = false;
        loop {
            match client.post(&url).json(&here).send().await {
                Ok(r) if r.status().is_success() => registered = true,
                Ok(r) => {
                    tracing::warn!(status = %r.status(), "J-LIS's issuance centre refused this certificate server")
                }
                Err(e) => tracing::debug!(error = %e, "registering with J-LIS's issuance centre"),
            }
            let wait = if registered { 60 } else { 1 };
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        }
    });
    Ok(Started { node, benefits })
}
