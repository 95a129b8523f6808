//! The hub killed (SIGKILL) in the middle of a load of exchanges and started again: every
//! exchange it acknowledged is in its log with a proof, and `myna log verify` finds the log
//! extends the tree head kept before the kill.

mod common;

use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::link::{all_included, query, spawn_hub, two_agencies, wait_up};
use myna_link::AgencyId;
use myna_node::NodeIdentity;

fn hub(dir: &std::path::Path, port: u16) -> Child {
    spawn_hub(&dir.join("network"), port, &format!("sqlite://{}", dir.join("hub.db").display()))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_exchanges_survive_a_killed_hub() {
    let dir = std::env::temp_dir().join(format!("myna-hub-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let network = dir.join("network");
    // The CA and the hub's certificate exist before the hub process starts.
    NodeIdentity::load_or_create(&network, "hub", &[]).unwrap();
    let port = myna_testkit::free_ports(1);
    let url = format!("https://localhost:{port}");
    let mut child = hub(&dir, port);
    let jlis = NodeIdentity::load_or_create(&network, "jlis", &[]).unwrap();
    let client = jlis.client().unwrap();
    wait_up(&client, &url).await;

    let (a, b) = two_agencies(&network, &url).await;
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
                if let Ok(r) = req.ask(&query(i, &provider)).await {
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
    all_included(&client, &url, &acked).await;
    let (ok, out) = verify(&dir, &url);
    assert!(ok && out.contains("extends all 1 tree heads"), "{out}");
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
