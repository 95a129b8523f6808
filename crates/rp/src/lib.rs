//! A relying party (利用者証明検証者) that lets card holders log in: it hands out one-time
//! challenges, checks the signed answers against the JPKI trust store and J-LIS's published
//! CRL, and opens sessions under its own pseudonym for the holder. `myna node verifier` runs
//! it on its own; the portal (a later issue) mounts the same routes.

mod revocation;
mod routes;
pub mod staff;

use std::net::SocketAddr;
use std::sync::Arc;

use myna_node::{Metrics, NodeIdentity, RunningNode, TlsError};
use myna_pki::TrustStore;

pub use revocation::{CrlCache, CrlError};
pub use routes::{ChallengeView, LoginBody, Service, SessionView};

/// Starts a relying party named `service` (its origin, written into every challenge).
pub async fn start(service: Arc<Service>, identity: &NodeIdentity, addr: SocketAddr) -> Result<RunningNode, TlsError> {
    let metrics = Metrics::new("verifier");
    myna_node::serve(routes::routes(service), routes::openapi_json(), metrics, identity, addr).await
}

/// Reads J-LIS's CA certificates (`/v1/jpki/ca`).
pub async fn fetch_trust(client: &reqwest::Client, jlis: &str) -> Result<TrustStore, CrlError> {
    #[derive(serde::Deserialize)]
    struct Ca {
        root: String,
        signing: String,
        user_auth: String,
    }
    let ca: Ca = client.get(format!("{jlis}/v1/jpki/ca")).send().await?.error_for_status()?.json().await?;
    let der = |p: &str| myna_pki::from_pem(p, "CERTIFICATE");
    Ok(TrustStore::new(&der(&ca.root)?, &[&der(&ca.signing)?, &der(&ca.user_auth)?])?)
}

/// What a service that checks cards needs from J-LIS: a client trusting the network CA,
/// J-LIS's JPKI trust store, and the user-authentication CRL (fetched now when J-LIS has one;
/// until then its status is unknown and cards are refused).
pub async fn connect_jlis(
    network_ca_pem: &str,
    jlis: &str,
) -> Result<(reqwest::Client, TrustStore, CrlCache), CrlError> {
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(network_ca_pem.as_bytes())?)
        .build()?;
    let trust = fetch_trust(&client, jlis).await?;
    let crl = CrlCache::new(jlis);
    if let Err(e) = crl.refresh(&client, &trust).await {
        tracing::warn!(error = %e, "J-LIS's CRL is not available yet; cards are refused until it is");
    }
    Ok((client, trust, crl))
}
