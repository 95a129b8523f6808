//! The `myna` binary as a person uses it.

mod common;

use std::{
    net::TcpListener,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::Client;
use serde_json::{Value, json};

fn myna(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_myna")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn number_check_says_kind_or_reason() {
    let (code, out, _) = myna(&["number", "check", "1234 5678 9018"]);
    assert_eq!(code, 0);
    assert!(out.contains("individual number"), "{out}");
    let (code, out, _) = myna(&["number", "check", "７００００１２０５０００２"]);
    assert_eq!((code, out.contains("corporate number")), (0, true), "{out}");
    let (code, _, err) = myna(&["number", "check", "123456789012"]);
    assert_eq!(code, 1);
    assert!(err.contains("should be 8, but is 2"), "{err}");
    let (code, _, err) = myna(&["number", "check", "12345"]);
    assert_eq!(code, 1);
    assert!(err.contains("got 5 digits"), "{err}");
}

#[test]
fn generated_numbers_all_check() {
    let (code, out, _) = myna(&["number", "generate", "--kind", "individual", "--count", "200", "--seed", "3"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 200);
    let unique: std::collections::HashSet<_> = lines.iter().collect();
    assert_eq!(unique.len(), 200);
    for l in lines.iter().take(20) {
        assert_eq!(myna(&["number", "check", l]).0, 0, "{l}");
    }
    let (code, out, _) = myna(&["number", "generate", "--kind", "corporate", "--count", "5"]);
    assert_eq!(code, 0);
    assert!(out.lines().all(|l| l.len() == 13));
}

#[test]
fn address_normalize_prints_json() {
    let (code, out, _) = myna(&["address", "normalize", "東京都千代田区霞が関2-1-2 中央合同庁舎"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        json!({"pref": "東京都", "city": "千代田区", "town": "霞が関二丁目", "rest": "1-2 中央合同庁舎", "lg_code": "131016", "level": 3})
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_up(client: &Client, url: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if client.get(format!("{url}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("node at {url} did not come up");
}

/// A node killed with SIGKILL in the middle of a stream of writes comes back with every
/// write it acknowledged.
#[tokio::test]
async fn killed_node_keeps_every_acknowledged_write() {
    for db in myna_testkit::fresh_urls().await {
        let dir = std::env::temp_dir().join(format!("myna-kill-{}-{}", std::process::id(), free_port()));
        let port = myna_testkit::free_ports(1);
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_myna"))
                .args(["node", "jlis", "--db", &db, "--listen", &format!("127.0.0.1:{port}"), "--network"])
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let mut child = spawn();
        let url = format!("https://localhost:{port}");
        // The CA file appears once the node has started.
        let start = Instant::now();
        while !dir.join("ca.pem").exists() && start.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // 千代田区's clerk system, issued from the node's network CA (J-LIS's registry answers
        // only a municipality's certificate).
        let client =
            myna_node::NodeIdentity::load_or_create(&dir, "municipality:131016", &[]).unwrap().client().unwrap();
        wait_up(&client, &url).await;

        // Writers in parallel; the node is killed while they run, once some writes are
        // acknowledged.
        let births = common::births::start(&client, &url, 4);
        births.until(40).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        child.kill().unwrap();
        child.wait().unwrap();
        let acked = births.acked().await;
        assert!(acked.len() > 10, "too few writes before the kill to mean anything: {}", acked.len());

        let mut child = spawn();
        wait_up(&client, &url).await;
        common::births::all_kept(&client, &url, &acked, &db).await;
        child.kill().unwrap();
        child.wait().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn demo_comes_up() {
    let dir = std::env::temp_dir().join(format!("myna-demo-{}", std::process::id()));
    // The demo takes 46 consecutive ports (demo::link::PORTS).
    let port = myna_testkit::free_ports(46).to_string();
    let (code, out, err) =
        myna(&["demo", "--check", "--residents", "500", "--port", &port, "--dir", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("J-LIS registry") && out.contains("500 residents"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_registry_loads_then_looks_up_again_without_loading() {
    let dir = std::env::temp_dir().join(format!("myna-bench-reuse-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("r.db").display());
    let args = ["bench", "registry", "--residents", "3000", "--lookups", "30", "--db", &db];
    let (code, out, err) = myna(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("load: 3000 residents"), "{out}");
    assert!(out.contains("unique 30,"), "every sampled resident found once: {out}");
    let (code, out, err) = myna(&[&args[..], &["--reuse"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("load:"), "nothing loaded again: {out}");
    assert!(out.contains("unique 30,"), "the same residents found: {out}");
    let (code, _, err) = myna(&["bench", "registry", "--residents", "4000", "--db", &db, "--reuse"]);
    assert_ne!(code, 0);
    assert!(err.contains("holds 3000 residents, not 4000"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_eligibility_confirms_every_check_and_loads_claims() {
    let (code, out, err) = myna(&[
        "bench",
        "eligibility",
        "--insured",
        "3000",
        "--checks",
        "300",
        "--cards",
        "3",
        "--concurrency",
        "8",
        "--claim-lines",
        "1000",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("300 of 300 confirmed among 3000 insured"), "{out}");
    assert!(out.contains("claims: 1000 lines") && out.contains("0 unmatched"), "{out}");
}
