//! The hub killed (SIGKILL) in the middle of a load of exchanges and started again: every
//! exchange it acknowledged is in its log with a proof, and `myna log verify` finds the log
//! extends the tree head kept before the kill.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use myna_link::{AgencyId, CodeIssued, CodeRequest, Envelope, NodeKey, merkle};
use myna_linkage::agency::{self, AgencyConfig, QueryRequest};
use myna_node::NodeIdentity;
use myna_store::Db;
use serde_json::Value;

fn hub(dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["node", "hub", "--listen", &format!("127.0.0.1:{port}"), "--network"])
        .arg(dir.join("network"))
        .arg("--db")
        .arg(format!("sqlite://{}", dir.join("hub.db").display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(client: &reqwest::Client, url: &str) {
    let start = Instant::now();
    while client.get(format!("{url}/healthz")).send().await.is_err() {
        assert!(start.elapsed() < Duration::from_secs(60), "the hub did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn verify(dir: &std::path::Path, url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["log", "verify", "--hub", url, "--network"])
        .arg(dir.join("network"))
        .arg("--heads")
        .arg(dir.join("heads.json"))
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_exchanges_survive_a_killed_hub() {
    let dir = std::env::temp_dir().join(format!("myna-hub-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let network = dir.join("network");
    // The CA and the hub's certificate exist before the hub process starts.
    let hub_id = NodeIdentity::load_or_create(&network, "hub", &[]).unwrap();
    let port = myna_testkit::free_ports(1);
    let url = format!("https://localhost:{port}");
    let mut child = hub(&dir, port);
    let jlis = NodeIdentity::load_or_create(&network, "jlis", &[]).unwrap();
    let client = jlis.client().unwrap();
    wait_up(&client, &url).await;

    let start_agency = |id: &'static str| {
        let (network, url) = (network.clone(), url.clone());
        async move {
            let config = AgencyConfig {
                name: id.into(),
                hub_url: url,
                jlis_url: "https://localhost:1".into(),
                login_service: None,
            };
            let db = Db::open(&myna_testkit::sqlite_url()).await.unwrap();
            agency::start(
                db,
                &NodeIdentity::load_or_create(&network, id, &[]).unwrap(),
                SocketAddr::from(([127, 0, 0, 1], 0)),
                config,
            )
            .await
            .unwrap()
        }
    };
    let a = start_agency("municipality:131016").await;
    let b = start_agency("municipality:271004").await;
    // This test plays J-LIS's part in code acquisition.
    let jlis_key = NodeKey::from_pem(&jlis.cert_pem, &jlis.key_pem).unwrap();
    let trust = myna_link::NetworkTrust::from_ca_pem(&hub_id.ca_pem).unwrap();
    for p in 0..20u64 {
        for ag in [&a.agency, &b.agency] {
            let env = Envelope::new(
                "jlis".parse().unwrap(),
                "hub".parse().unwrap(),
                now(),
                CodeRequest { agency: ag.id.clone(), link: p + 1 },
            );
            let res = client.post(format!("{url}/v1/codes")).body(jlis_key.sign(&env).unwrap()).send().await.unwrap();
            let issued: Envelope<CodeIssued> =
                trust.open::<Envelope<CodeIssued>>(&res.text().await.unwrap(), now()).unwrap().body;
            ag.store.enrol(&format!("p{p}"), &issued.body.code.to_string(), 0).await.unwrap();
        }
        let code = b.agency.store.code_of(&format!("p{p}")).await.unwrap().unwrap();
        let data =
            serde_json::json!({"fiscal_year": 2026, "taxable_income": 1000 + p, "tax_amount": 1, "non_taxable": false});
        b.agency.store.put_copy(&code, "local_tax", "1.1", &data.to_string(), 0).await.unwrap();
    }
    let (ok, out) = verify(&dir, &url);
    assert!(ok, "{out}");

    // Load from 32 workers; the hub is killed while they run.
    let acked: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let provider: AgencyId = b.agency.id.clone();
    let mut workers = Vec::new();
    for w in 0..32u64 {
        let (req, acked, stop, provider) = (a.agency.clone(), acked.clone(), stop.clone(), provider.clone());
        workers.push(tokio::spawn(async move {
            let mut i = w;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let q = QueryRequest {
                    presence: None,
                    person: format!("p{}", i % 20),
                    task: "child_allowance".parse().unwrap(),
                    item: "local_tax".parse().unwrap(),
                    provider: provider.clone(),
                    purpose: "load".into(),
                    version: None,
                };
                if let Ok(r) = req.ask(&q).await {
                    acked.lock().unwrap().push((r.record, r.entry));
                }
                i += 32;
            }
        }));
    }
    let t = Instant::now();
    while acked.lock().unwrap().len() < 300 {
        assert!(t.elapsed() < Duration::from_secs(60), "the load did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    let mut child = hub(&dir, port);
    wait_up(&client, &url).await;
    let head: Value = client.get(format!("{url}/v1/log/head")).send().await.unwrap().json().await.unwrap();
    let size = head["size"].as_u64().unwrap();
    let mut root = [0u8; 32];
    hex::decode_to_slice(head["root"].as_str().unwrap(), &mut root).unwrap();
    assert!(size >= acked.len() as u64, "{size} entries, {} acknowledged", acked.len());
    for (index, entry) in &acked {
        let p: Value = client
            .get(format!("{url}/v1/log/inclusion?index={index}&size={size}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let proof: Vec<[u8; 32]> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let mut b = [0u8; 32];
                hex::decode_to_slice(h.as_str().unwrap(), &mut b).unwrap();
                b
            })
            .collect();
        merkle::verify_inclusion(entry.as_bytes(), *index, size, &root, &proof)
            .unwrap_or_else(|e| panic!("acknowledged entry {index}: {e}"));
    }
    let (ok, out) = verify(&dir, &url);
    assert!(ok && out.contains("extends all 1 tree heads"), "{out}");
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
