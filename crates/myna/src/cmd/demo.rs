use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use myna_node::NodeIdentity;
use myna_store::{Db, RegistryStore};

use super::{CmdResult, population::load, today};

#[derive(Args)]
pub struct DemoArgs {
    /// Residents in the demo country.
    #[arg(long, default_value_t = 2_000)]
    residents: u64,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Folder for the demo's databases and certificates; reused if present.
    #[arg(long, default_value = ".myna/demo")]
    dir: PathBuf,
    /// Port of the J-LIS node.
    #[arg(long, default_value_t = 7443)]
    port: u16,
    /// Start, print, and stop at once (for scripts that check the demo comes up).
    #[arg(long)]
    check: bool,
}

impl DemoArgs {
    pub async fn run(self) -> CmdResult {
        std::fs::create_dir_all(&self.dir)?;
        let db_path = self.dir.join("jlis.db");
        let fresh = !db_path.exists();
        // The demo's issuing key follows its seed so the same seed gives the same numbers.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&self.seed.to_le_bytes());
        let store = RegistryStore::open(Db::open(&format!("sqlite://{}", db_path.display())).await?, || key).await?;
        let samples = if fresh {
            println!("generating a country of {} residents (seed {}) …", self.residents, self.seed);
            let l = load(&store, self.seed, self.residents, today(), (self.residents / 3).max(1)).await?;
            println!("  {} residents in {} households, {:.1} s", l.residents, l.households, l.seconds);
            l.samples
        } else {
            println!(
                "reusing the country in {} ({} residents); delete the folder for a new one",
                self.dir.display(),
                store.count().await?
            );
            Vec::new()
        };
        let network = self.dir.join("network");
        let identity = NodeIdentity::load_or_create(&network, "jlis", &[])?;
        let node = myna_jlis::start(store, &identity, SocketAddr::from(([127, 0, 0, 1], self.port))).await?;
        let ca = network.join("ca.pem");
        let url = node.url();
        println!();
        println!("myna demo country is up");
        println!("  J-LIS registry   {url}   (API: {url}/openapi.json, metrics: {url}/metrics)");
        println!("  network CA       {}", ca.display());
        if let Some(p) = samples.first() {
            println!();
            println!("try a 4-item lookup:");
            println!(
                "  curl --cacert {} {url}/v1/lookup -H 'content-type: application/json' \\\n    -d '{{\"name\":\"{}\",\"birth\":\"{}\",\"sex\":\"{}\",\"address\":\"{}\"}}'",
                ca.display(),
                p.name.kanji,
                p.birth,
                p.sex.map(|s| s.as_str()).unwrap_or(""),
                p.address.line()
            );
        }
        if self.check {
            node.shutdown().await;
            return Ok(());
        }
        println!();
        println!("press Ctrl-C to stop");
        tokio::select! {
            r = node.wait() => r?,
            _ = tokio::signal::ctrl_c() => println!("stopping"),
        }
        Ok(())
    }
}
