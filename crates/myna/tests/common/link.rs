//! Two municipalities' agency nodes (in this process, on SQLite) on a hub that runs as its own
//! process: 20 people enrolled at both, the test playing J-LIS's part in code acquisition,
//! and 大阪市's local tax copy of each registered; and what checks the hub's log.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use myna_link::{CodeIssued, CodeRequest, Envelope, NodeKey, merkle};
use myna_linkage::agency::{self, AgencyConfig, QueryRequest};
use myna_node::NodeIdentity;
use myna_store::Db;
use serde_json::Value;

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `myna node hub` as its own process on `db`, with the network folder `network`.
pub fn spawn_hub(network: &std::path::Path, port: u16, db: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["node", "hub", "--listen", &format!("127.0.0.1:{port}"), "--db", db, "--network"])
        .arg(network)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

pub async fn wait_up(client: &reqwest::Client, url: &str) {
    let start = Instant::now();
    while client.get(format!("{url}/healthz")).send().await.is_err() {
        assert!(start.elapsed() < Duration::from_secs(60), "{url} did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// 千代田区 (asks) and 大阪市 (provides), with 20 people known to both.
pub async fn two_agencies(network: &std::path::Path, hub_url: &str) -> (agency::Started, agency::Started) {
    let start_agency = |id: &'static str| {
        let (network, url) = (network.to_path_buf(), hub_url.to_string());
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
    let jlis = NodeIdentity::load_or_create(network, "jlis", &[]).unwrap();
    let client = jlis.client().unwrap();
    let jlis_key = NodeKey::from_pem(&jlis.cert_pem, &jlis.key_pem).unwrap();
    let trust = myna_link::NetworkTrust::from_ca_pem(&jlis.ca_pem).unwrap();
    for p in 0..20u64 {
        for ag in [&a.agency, &b.agency] {
            let env = Envelope::new(
                "jlis".parse().unwrap(),
                "hub".parse().unwrap(),
                now(),
                CodeRequest { agency: ag.id.clone(), link: p + 1 },
            );
            let res =
                client.post(format!("{hub_url}/v1/codes")).body(jlis_key.sign(&env).unwrap()).send().await.unwrap();
            let issued: Envelope<CodeIssued> =
                trust.open::<Envelope<CodeIssued>>(&res.text().await.unwrap(), now()).unwrap().body;
            ag.store.enrol(&format!("p{p}"), &issued.body.code.to_string(), 0).await.unwrap();
        }
        let code = b.agency.store.code_of(&format!("p{p}")).await.unwrap().unwrap();
        let data =
            serde_json::json!({"fiscal_year": 2026, "taxable_income": 1000 + p, "tax_amount": 1, "non_taxable": false});
        b.agency.store.put_copy(&code, "local_tax", "1.1", &data.to_string(), 0).await.unwrap();
    }
    (a, b)
}

/// 千代田区's query of person `i`'s local tax at 大阪市 (児童手当).
pub fn query(i: u64, provider: &myna_link::AgencyId) -> QueryRequest {
    QueryRequest {
        presence: None,
        person: format!("p{}", i % 20),
        task: "child_allowance".parse().unwrap(),
        item: "local_tax".parse().unwrap(),
        provider: provider.clone(),
        purpose: "load".into(),
        version: None,
    }
}

/// Every acknowledged `(index, entry)` has an inclusion proof in the hub's current head.
pub async fn all_included(client: &reqwest::Client, url: &str, acked: &[(u64, String)]) {
    let head: Value = client.get(format!("{url}/v1/log/head")).send().await.unwrap().json().await.unwrap();
    let size = head["size"].as_u64().unwrap();
    let mut root = [0u8; 32];
    hex::decode_to_slice(head["root"].as_str().unwrap(), &mut root).unwrap();
    assert!(size >= acked.len() as u64, "{size} entries, {} acknowledged", acked.len());
    for (index, entry) in acked {
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
}
