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
}

impl NodeCmd {
    pub async fn run(self) -> CmdResult {
        let NodeCmd::Jlis { db, listen, network } = self;
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
