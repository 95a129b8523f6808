//! `myna bench`: whole flows timed with a reference measured in the same run.

mod address;
mod benefit;
#[cfg(feature = "pcsc")]
mod card;
mod health;
mod inspection;
mod issuance;
mod kiosk;
mod link;
mod login;
mod moving;
mod portal;
mod reception;
mod tiles;

use std::time::Instant;

use clap::Subcommand;
use myna_jlis::store::RegistryStore;
use myna_registry::{LookupOutcome, LookupQuery};
use myna_store::Db;

use super::{
    CmdResult,
    population::{load, regenerate_samples},
    today,
};

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Loads a synthetic population and times 4-item lookups of residents in it.
    Registry {
        #[arg(long, default_value_t = 100_000)]
        residents: u64,
        #[arg(long, default_value_t = 10_000)]
        lookups: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Database; default a new SQLite file in the temp folder (removed afterwards).
        #[arg(long)]
        db: Option<String>,
        /// With --db naming a registry this command loaded earlier (same --residents and
        /// --seed, the same day): skip the load and only look up. For cold-cache lookups,
        /// drop the OS page cache before.
        #[arg(long, requires = "db")]
        reuse: bool,
    },
    /// Normalizes generated addresses in several spellings and, with --peer, runs
    /// @geolonia/normalize-japanese-addresses on the same inputs in the same run.
    Address(address::AddressBench),
    /// Logins per second end to end over HTTPS: J-LIS, a verifier, cards signing challenges.
    Login(login::LoginBench),
    /// Linkage exchanges per second end to end: requester → hub → provider → requester.
    Link(link::LinkBench),
    /// The hub's log: durable append rate, and proof sizes and times for a large tree.
    Log(link::LogBench),
    /// Against a running portal: authenticated page views and application submissions per second.
    Portal(portal::PortalBench),
    /// Eligibility checks at a facility per second end to end, among --insured people, and
    /// the time to load a month of claims.
    Eligibility(health::EligibilityBench),
    /// A push benefit over a municipality of --residents: determination, notices, approval,
    /// the transfer file.
    Benefit(benefit::BenefitBench),
    /// 引越しワンストップ end to end: application signed, 転出届 and 転入予約 pushed, 転入
    /// completed; against 転居 recorded at J-LIS directly.
    Moving(moving::MovingBench),
    /// マイナンバー情報総点検 at J-LIS over --links links with family swaps planted: links
    /// classed per second, and the planted errors found.
    Inspection(inspection::InspectionBench),
    /// 窓口交付 end to end: documents issued per second from J-LIS's record into the
    /// municipality's ledger, and checked at the issuer, against J-LIS's record read alone.
    Issuance(issuance::IssuanceBench),
    /// コンビニ交付 end to end: the card's signature checked at J-LIS's centre, the order
    /// issued and logged by the municipality, the PDF back at the kiosk; each checked offline.
    Kiosk(kiosk::KioskBench),
    /// A card's login signature directly and through PC/SC (the emulator in vsmartcard-vpcd),
    /// and the APDUs of each operation (a myna built with `--features pcsc`).
    #[cfg(feature = "pcsc")]
    Card(card::CardBench),
}

/// The hub, J-LIS and 千代田区's agency node, in `dir`: what the issuance scenarios run on.
pub(super) struct Chiyoda {
    /// Kept running while the scenario does.
    pub _hub: myna_node::RunningNode,
    pub jlis: myna_node::RunningNode,
    pub agency: myna_linkage::agency::Started,
    pub cell: myna_benefits::routes::Cell,
}

impl Chiyoda {
    pub async fn start(dir: &std::path::Path) -> Result<Self, Box<dyn std::error::Error>> {
        use myna_store::Db;
        let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
        let network = dir.join("network");
        let id = |n: &str| myna_node::NodeIdentity::load_or_create(&network, n, &[]);
        let (hub, hub_state) =
            myna_linkage::hub::start(Db::open(&db("hub.db")).await?, &id("hub")?, link::any()).await?;
        let store = myna_jlis::store::RegistryStore::open(Db::open(&db("jlis.db")).await?, || [9; 32]).await?;
        let jlis = myna_jlis::start_with_hub(store, &id("jlis")?, link::any(), Some(&hub.url())).await?;
        let _ = hub_state.jlis.set(jlis.url());
        let m = crate::cmd::node::start_municipality(
            &network,
            "municipality:131016",
            "千代田区",
            Some(db("131016.db")),
            link::any(),
            (&hub.url(), &jlis.url()),
        )
        .await?;
        Ok(Self { _hub: hub, jlis, agency: m.started, cell: m.cell })
    }
}

/// A scratch folder for one load scenario, removed when dropped (also on error).
pub(super) struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("myna-bench-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// "p50 …, p99 …, max …" of sorted latencies in milliseconds.
pub(super) fn latencies(sorted: &[f64]) -> String {
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(sorted, 0.5),
        percentile(sorted, 0.99),
        sorted.last().copied().unwrap_or(0.0)
    )
}

pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Peak resident memory of this process in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

impl BenchCmd {
    pub async fn run(self) -> CmdResult {
        let (residents, lookups, seed, db, reuse) = match self {
            BenchCmd::Registry { residents, lookups, seed, db, reuse } => (residents, lookups, seed, db, reuse),
            BenchCmd::Address(a) => return a.run(),
            BenchCmd::Login(l) => return l.run().await,
            BenchCmd::Link(l) => return l.run().await,
            BenchCmd::Log(l) => return l.run().await,
            BenchCmd::Portal(p) => return p.run().await,
            BenchCmd::Eligibility(e) => return e.run().await,
            BenchCmd::Benefit(b) => return b.run().await,
            BenchCmd::Moving(m) => return m.run().await,
            BenchCmd::Inspection(i) => return i.run().await,
            BenchCmd::Issuance(i) => return i.run().await,
            BenchCmd::Kiosk(k) => return k.run().await,
            #[cfg(feature = "pcsc")]
            BenchCmd::Card(c) => return c.run().await,
        };
        let temp = std::env::temp_dir().join(format!("myna-bench-{}.db", std::process::id()));
        let url = db.clone().unwrap_or_else(|| format!("sqlite://{}", temp.display()));
        let store = RegistryStore::open(Db::open(&url).await?, || [1; 32]).await?;
        let day = today();
        let every = (residents / lookups.max(1)).max(1);
        let samples = if reuse {
            let have = store.count().await?;
            if have != residents as i64 {
                return Err(format!("--reuse: the registry holds {have} residents, not {residents}").into());
            }
            regenerate_samples(seed, residents, day, every)?
        } else {
            let l = load(&store, seed, residents, day, every).await?;
            println!(
                "load: {} residents in {:.1} s = {:.0} residents/s (of which {:.1} s building indexes)",
                l.residents,
                l.seconds,
                l.residents as f64 / l.seconds,
                l.index_seconds
            );
            l.samples
        };
        let queries: Vec<LookupQuery> = samples
            .iter()
            .filter_map(|p| {
                LookupQuery::new(
                    Some(&p.name.kanji),
                    Some(&p.birth.to_string()),
                    p.sex.map(|s| s.as_str()),
                    Some(&p.address.line()),
                    day,
                )
                .ok()
            })
            .collect();
        let mut lat = Vec::with_capacity(queries.len());
        let (mut unique, mut ambiguous, mut missing) = (0, 0, 0);
        let start = Instant::now();
        for q in &queries {
            let t = Instant::now();
            match store.lookup(q).await? {
                LookupOutcome::Unique(_) => unique += 1,
                LookupOutcome::Ambiguous(_) => ambiguous += 1,
                LookupOutcome::NotFound => missing += 1,
            }
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let total = start.elapsed().as_secs_f64();
        lat.sort_by(f64::total_cmp);
        println!(
            "lookup: {} queries, {:.0}/s sequential, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (unique {unique}, ambiguous {ambiguous}, not found {missing})",
            lat.len(),
            lat.len() as f64 / total,
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0)
        );
        // PostgreSQL: the whole database; SQLite: its pages (the WAL is checkpointed into them).
        let size = store.database_size().await?;
        println!(
            "database: {:.1} MiB ({:.0} bytes/resident)",
            size as f64 / 1048576.0,
            size as f64 / residents.max(1) as f64
        );
        if db.is_none() {
            store.db().pool.close().await;
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", temp.display()));
            }
        }
        if let Some(m) = peak_rss_mib() {
            println!("memory: peak RSS {m:.0} MiB");
        }
        Ok(())
    }
}

/// A J-LIS node on SQLite in `dir` for a benchmark, and the clerk system to call it as.
async fn start_jlis(
    dir: &std::path::Path,
    network: &std::path::Path,
) -> Result<(myna_node::RunningNode, crate::cmd::card::JlisArgs), Box<dyn std::error::Error>> {
    let store =
        RegistryStore::open(Db::open(&format!("sqlite://{}", dir.join("jlis.db").display())).await?, || [3; 32])
            .await?;
    let identity = myna_node::NodeIdentity::load_or_create(network, "jlis", &[])?;
    let node = myna_jlis::start(store, &identity, std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let jlis = crate::cmd::card::JlisArgs::municipality(node.url(), network.join("ca.pem"))?;
    Ok((node, jlis))
}
