//! `myna bench link`: linkage exchanges per second end to end — requester → hub → provider →
//! requester over HTTPS with mutual TLS, every message signed and checked, the payload sealed
//! by the provider and opened by the requester, every exchange durably in the hub's log.
//! `myna bench log`: the log's durable group-commit append rate, then (`bench::tiles`) a log
//! of a given size in tiles, proofs fetched from them, and proofs served under appends.

use std::{net::SocketAddr, sync::Arc};

use clap::Args;
use myna_link::{AgencyId, Entry, LinkId, MessageId, Outcome, TaskId};
use myna_linkage::hub::HubStore;
use myna_linkage::{
    agency::{AgencyConfig, QueryRequest},
    hub,
};
use myna_node::NodeIdentity;
use myna_store::Db;
use serde_json::json;

use super::{latencies, login::drive};
use crate::cmd::CmdResult;

#[derive(Args)]
pub struct LinkBench {
    #[arg(long, default_value_t = 20_000)]
    exchanges: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Distinct people asked about.
    #[arg(long, default_value_t = 1_000)]
    people: usize,
    /// The hub's database (default SQLite in a scratch folder), e.g. a highly available
    /// PostgreSQL's URL (scripts/ha-cluster.sh).
    #[arg(long)]
    hub_db: Option<String>,
    /// The hub as its own process (`myna node hub`), as in `myna country`, instead of in
    /// this one.
    #[arg(long)]
    separate: bool,
}

/// The hub the bench drives: in this process, or a child process (with its URL and J-LIS's
/// client, which asks it for codes as J-LIS does).
enum Hub {
    Here(myna_node::RunningNode, Arc<hub::Hub>),
    Apart(std::process::Child, String, reqwest::Client),
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Hub::Apart(c, ..) = self {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Hub {
    fn url(&self) -> String {
        match self {
            Hub::Here(n, _) => n.url(),
            Hub::Apart(_, u, _) => u.clone(),
        }
    }

    /// Codes of `links` at `agency`: from the hub's book when it runs here, else as J-LIS
    /// asks for them (a signed batch) over the network.
    async fn codes(
        &self,
        network: &std::path::Path,
        agency: &AgencyId,
        links: Vec<u64>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        match self {
            Hub::Here(_, h) => Ok(links.iter().map(|l| h.code_for(agency, *l).to_string()).collect()),
            Hub::Apart(_, url, client) => {
                let jlis = NodeIdentity::load_or_create(network, "jlis", &[])?;
                let key = myna_link::NodeKey::from_pem(&jlis.cert_pem, &jlis.key_pem)?;
                let trust = myna_link::NetworkTrust::from_ca_pem(&jlis.ca_pem)?;
                let mut out = Vec::with_capacity(links.len());
                for chunk in links.chunks(myna_link::CODE_BATCH_MAX) {
                    let now = myna_node::now_secs();
                    let env = myna_link::Envelope::new(
                        "jlis".parse()?,
                        hub::HUB_ID.parse()?,
                        now,
                        myna_link::CodeRequestBatch { agency: agency.clone(), links: chunk.to_vec() },
                    );
                    let res = client.post(format!("{url}/v1/codes/batch")).body(key.sign(&env)?).send().await?;
                    let text = res.error_for_status()?.text().await?;
                    let issued = trust.open::<myna_link::Envelope<myna_link::CodesIssued>>(&text, now)?.body.body;
                    for c in issued.codes {
                        out.push(c.ok_or("the hub issued no code")?.to_string());
                    }
                }
                Ok(out)
            }
        }
    }

    async fn log_size(&self) -> Result<u64, Box<dyn std::error::Error>> {
        match self {
            Hub::Here(_, h) => Ok(h.log.head()?.head.size),
            Hub::Apart(_, url, client) => {
                let head: serde_json::Value = client.get(format!("{url}/v1/log/head")).send().await?.json().await?;
                Ok(head["size"].as_u64().unwrap_or_default())
            }
        }
    }
}

pub(super) fn any() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

impl LinkBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("link")?;
        self.run_in(&dir.0).await
    }

    async fn run_in(&self, dir: &std::path::Path) -> CmdResult {
        let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
        let network = dir.join("network");
        let hub_db = self.hub_db.clone().unwrap_or_else(|| db("hub.db"));
        let identity = NodeIdentity::load_or_create(&network, hub::HUB_ID, &[])?;
        let hub = if self.separate {
            let port = std::net::TcpListener::bind(any())?.local_addr()?.port();
            let child = std::process::Command::new(std::env::current_exe()?)
                .args(["node", "hub", "--listen", &format!("127.0.0.1:{port}"), "--db", &hub_db, "--network"])
                .arg(&network)
                .stdout(std::process::Stdio::null())
                .spawn()?;
            let client = NodeIdentity::load_or_create(&network, "jlis", &[])?.client()?;
            let hub = Hub::Apart(child, format!("https://localhost:{port}"), client.clone());
            let start = std::time::Instant::now();
            while client.get(format!("{}/healthz", hub.url())).send().await.is_err() {
                if start.elapsed().as_secs() > 60 {
                    return Err("the hub process did not start".into());
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            hub
        } else {
            let (node, h) = hub::start(Db::open(&hub_db).await?, &identity, any()).await?;
            Hub::Here(node, h)
        };
        let agency = |id: &'static str, file: &'static str| {
            let (network, hub_url, url) = (network.clone(), hub.url(), db(file));
            async move {
                let config = AgencyConfig {
                    name: id.into(),
                    hub_url,
                    jlis_url: "https://localhost:1".into(),
                    login_service: None,
                };
                myna_linkage::agency::start(
                    Db::open(&url).await?,
                    &NodeIdentity::load_or_create(&network, id, &[])?,
                    any(),
                    config,
                )
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)
            }
        };
        let requester = agency("municipality:131016", "a.db").await?;
        let provider = agency("municipality:271004", "b.db").await?;
        // Setup, not timed: people enrolled with the codes the hub gives (J-LIS's part is
        // measured elsewhere) and the provider's copies registered.
        let bar = indicatif::ProgressBar::new(self.people as u64).with_message("enrolling people and copies");
        let links: Vec<u64> = (1..=self.people as u64).collect();
        let codes = [
            hub.codes(&network, &requester.agency.id, links.clone()).await?,
            hub.codes(&network, &provider.agency.id, links).await?,
        ];
        for i in 0..self.people {
            let person = format!("p{i}");
            for (a, codes) in [&requester.agency, &provider.agency].into_iter().zip(&codes) {
                a.store.enrol(&person, &codes[i], 0).await?;
            }
            let code = provider.agency.store.code_of(&person).await?.ok_or("enrolment")?;
            let data = json!({"fiscal_year": 2026, "taxable_income": 2_000_000 + i, "tax_amount": 100_000 + i, "non_taxable": false});
            provider.agency.store.put_copy(&code, "local_tax", "1.1", &data.to_string(), 0).await?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        let req = requester.agency.clone();
        let people = self.people;
        let provider_id: AgencyId = provider.agency.id.clone();
        let task: TaskId = "child_allowance".parse()?;
        let (warm, _) = drive(200, 8, {
            let (req, provider_id, task) = (req.clone(), provider_id.clone(), task.clone());
            move |i| ask(req.clone(), provider_id.clone(), task.clone(), i % people)
        })
        .await?;
        if warm.len() != 200 {
            return Err(format!("warm-up: {} of 200 exchanges succeeded", warm.len()).into());
        }
        println!(
            "{} exchanges, {} in flight, {} people (requester, hub and provider on this machine; the hub {}, on {})",
            self.exchanges,
            self.concurrency,
            self.people,
            if self.separate { "in its own process" } else { "in this process" },
            if hub_db.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
        );
        let (lat, wall) = drive(self.exchanges, self.concurrency, move |i| {
            ask(req.clone(), provider_id.clone(), task.clone(), i % people)
        })
        .await?;
        let ok = lat.len();
        println!("{ok} delivered in {wall:.2} s: {:.0} exchanges/s, {}", ok as f64 / wall, latencies(&lat));
        let size = hub.log_size().await?;
        println!("hub log: {size} entries (warm-up included), each durable before its answer");
        if ok != self.exchanges {
            return Err(format!("{} exchanges failed", self.exchanges - ok).into());
        }
        Ok(())
    }
}

async fn ask(a: Arc<myna_linkage::agency::Agency>, provider: AgencyId, task: TaskId, i: usize) -> bool {
    let r = QueryRequest {
        presence: None,
        person: format!("p{i}"),
        task,
        item: myna_link::InfoItem::LocalTax,
        provider,
        purpose: "bench".into(),
        version: None,
    };
    match a.ask(&r).await {
        Ok(v) => v.outcome == myna_link::Outcome::Delivered,
        Err(e) => {
            tracing::warn!(error = %e, "exchange failed");
            false
        }
    }
}

#[derive(Args)]
pub struct LogBench {
    /// Entries appended, durably, by concurrent writers.
    #[arg(long, default_value_t = 200_000)]
    records: usize,
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Entries of the log built as tiles on disk to measure proofs on (e.g. 1000000000).
    #[arg(long, default_value_t = 1_000_000)]
    tree: u64,
}

impl LogBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("log")?;
        self.run_in(&dir.0).await
    }

    async fn run_in(&self, dir: &std::path::Path) -> CmdResult {
        let identity = NodeIdentity::load_or_create(&dir.join("network"), hub::HUB_ID, &[])?;
        let key = Arc::new(myna_link::NodeKey::from_pem(&identity.cert_pem, &identity.key_pem)?);
        let store = HubStore::open(Db::open(&format!("sqlite://{}", dir.join("hub.db").display())).await?).await?;
        let log = Arc::new(hub::Log::open(store, key).await?);
        let requester: AgencyId = "municipality:131016".parse()?;
        let provider: AgencyId = "municipality:271004".parse()?;
        let entry = move |_: usize| Entry {
            at: myna_linkage::now_ms(),
            message: MessageId::random(),
            requester: requester.clone(),
            provider: provider.clone(),
            task: "child_allowance".into(),
            item: "local_tax".into(),
            outcome: Outcome::Delivered,
            reason: None,
            subject: Some(hex::encode(LinkId(7).0.to_be_bytes())),
            concerns: vec![],
        };
        let l = log.clone();
        let (lat, wall) = drive(self.records, self.concurrency, move |i| {
            let (l, e) = (l.clone(), entry(i));
            async move { l.append(e).await.is_ok() }
        })
        .await?;
        println!(
            "log append: {} entries durable (SQLite WAL, synchronous=FULL, group commit) in {wall:.2} s: {:.0}/s, {} with {} writers",
            lat.len(),
            lat.len() as f64 / wall,
            latencies(&lat),
            self.concurrency
        );
        super::tiles::run(dir, self.tree, self.concurrency).await
    }
}
