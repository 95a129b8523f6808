use std::{net::SocketAddr, path::PathBuf};

use clap::Subcommand;
use myna_node::NodeIdentity;
use myna_store::{Db, RegistryStore};

use super::{CmdResult, default_state, population::db_url, random_key};

#[derive(Subcommand)]
pub enum NodeCmd {
    /// The resident registry (J-LIS): events, 4-item lookup, number verification.
    Jlis {
        /// Database: sqlite://PATH (default .myna/jlis.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "127.0.0.1:7443")]
        listen: SocketAddr,
        /// Folder of the network CA and node certificates (default .myna/network).
        #[arg(long)]
        network: Option<PathBuf>,
    },
    /// A relying party (利用者証明検証者): card holders log in with their user-authentication
    /// certificate; revocation from J-LIS's CRL, refreshed every minute.
    Verifier {
        /// This service's origin, written into its challenges.
        #[arg(long, default_value = "https://localhost:7444")]
        service: String,
        /// J-LIS node URL.
        #[arg(long, default_value = "https://localhost:7443")]
        jlis: String,
        #[arg(long, default_value = "127.0.0.1:7444")]
        listen: SocketAddr,
        #[arg(long)]
        network: Option<PathBuf>,
    },
}

/// Starts a verifier that trusts the JPKI authority at `jlis` and follows its CRL.
pub async fn start_verifier(service: &str, jlis: &str, network: &std::path::Path, listen: SocketAddr) -> Result<myna_node::RunningNode, Box<dyn std::error::Error>> {
    let identity = NodeIdentity::load_or_create(network, "verifier", &[])?;
    let client = super::card::network_client(identity.ca_pem.as_bytes())?;
    let trust = myna_rp::fetch_trust(&client, jlis).await?;
    let svc = std::sync::Arc::new(myna_rp::Service::new(service, trust, &random_key(), jlis));
    svc.crl.refresh(&client, svc.trust()).await?;
    svc.spawn_refresh(client, std::time::Duration::from_secs(60));
    Ok(myna_rp::start(svc, &identity, listen).await?)
}

impl NodeCmd {
    pub async fn run(self) -> CmdResult {
        let (db, listen, network) = match self {
            NodeCmd::Jlis { db, listen, network } => (db, listen, network),
            NodeCmd::Verifier { service, jlis, listen, network } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let node = start_verifier(&service, &jlis, &network, listen).await?;
                println!("verifier {service} listening on {}", node.url());
                tokio::select! {
                    r = node.wait() => r?,
                    _ = tokio::signal::ctrl_c() => println!("stopping"),
                }
                return Ok(());
            }
        };
        let network = network.unwrap_or_else(|| default_state().join("network"));
        let identity = NodeIdentity::load_or_create(&network, "jlis", &[])?;
        let store = RegistryStore::open(Db::open(&db_url(db, "jlis.db")).await?, random_key).await?;
        let node = myna_jlis::start(store, &identity, listen).await?;
        println!("jlis listening on {} (CA: {})", node.url(), network.join("ca.pem").display());
        tokio::select! {
            r = node.wait() => r?,
            _ = tokio::signal::ctrl_c() => println!("stopping"),
        }
        Ok(())
    }
}
