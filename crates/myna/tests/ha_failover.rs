//! The hub on a highly available PostgreSQL (scripts/ha-cluster.sh: Patroni with etcd, a
//! synchronous standby, HAProxy to the leader; scripts/test.sh starts it and names it in
//! MYNA_TEST_HA_URL and MYNA_TEST_HA_DIR). Under a load of exchanges, the database leader's
//! server is lost (its Patroni and PostgreSQL killed with SIGKILL): Patroni promotes the
//! standby, the hub reconnects through HAProxy, the load's retries complete, and every
//! exchange the hub acknowledged has its inclusion proof. The time without service is printed.
//! Then the hub is cut off from its database altogether: refused with the reason, never
//! acknowledged, and served again once the proxy is back. Last, with the lost server back as
//! a standby, the health node's eligibility checks lose the new leader under load: every
//! confirmed check is in the check log (`myna bench eligibility --retry`).

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::link::{all_included, query, spawn_hub, two_agencies, wait_up};
use myna_node::NodeIdentity;

/// Exchanges each of the load's workers has acknowledged before it stops.
const PER_WORKER: u64 = 60;
const WORKERS: u64 = 16;

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cluster(cmd: &str, dir: &str) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/ha-cluster.sh");
    let out = Command::new(script).args([cmd, dir]).output().unwrap();
    assert!(out.status.success(), "ha-cluster.sh {cmd}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Loses the leader's server: its Patroni and its PostgreSQL killed at once. Its name.
fn kill_leader(dir: &str) -> String {
    let leader = cluster("leader", dir);
    let parts: Vec<&str> = leader.split_whitespace().collect();
    assert_eq!(parts.len(), 3, "name, Patroni's pid, PostgreSQL's pid: {leader}");
    assert!(Command::new("kill").args(["-9", parts[1], parts[2]]).status().unwrap().success());
    parts[0].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_exchanges_survive_losing_the_database_leader() {
    let (Ok(ha), Ok(ha_dir)) = (std::env::var("MYNA_TEST_HA_URL"), std::env::var("MYNA_TEST_HA_DIR")) else {
        assert!(
            std::env::var("MYNA_REQUIRE_HA").is_err(),
            "MYNA_REQUIRE_HA is set but MYNA_TEST_HA_URL/MYNA_TEST_HA_DIR name no cluster"
        );
        eprintln!("skipped: no HA cluster (scripts/ha-cluster.sh up DIR, then MYNA_TEST_HA_URL and MYNA_TEST_HA_DIR)");
        return;
    };
    let db = myna_testkit::postgres_url_on(&ha).await.expect("a database on the HA cluster");
    let dir = std::env::temp_dir().join(format!("myna-ha-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let network = dir.join("network");
    NodeIdentity::load_or_create(&network, "hub", &[]).unwrap();
    let port = myna_testkit::free_ports(1);
    let url = format!("https://localhost:{port}");
    let hub = spawn_hub(&network, port, &db);
    let _hub = Kill(hub);
    let client = NodeIdentity::load_or_create(&network, "jlis", &[]).unwrap().client().unwrap();
    wait_up(&client, &url).await;
    let (a, b) = two_agencies(&network, &url).await;

    // The load: each worker retries a refused exchange until it is acknowledged.
    let acked: Arc<Mutex<Vec<(u64, String, Instant)>>> = Arc::default();
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let (req, acked, refused, provider) = (a.agency.clone(), acked.clone(), refused.clone(), b.agency.id.clone());
        workers.push(tokio::spawn(async move {
            let start = Instant::now();
            for n in 0..PER_WORKER {
                loop {
                    match req.ask(&query(w + n * WORKERS, &provider)).await {
                        Ok(r) => {
                            acked.lock().unwrap().push((r.record, r.entry, Instant::now()));
                            break;
                        }
                        Err(_) => {
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            assert!(start.elapsed() < Duration::from_secs(120), "the hub never served again");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            }
        }));
    }
    let t = Instant::now();
    while acked.lock().unwrap().len() < 200 {
        assert!(t.elapsed() < Duration::from_secs(60), "the load did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed = Instant::now();
    let lost = kill_leader(&ha_dir);
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len() as u64, WORKERS * PER_WORKER);
    let new_leader = cluster("leader", &ha_dir);
    assert_ne!(new_leader.split_whitespace().next(), Some(lost.as_str()), "no standby was promoted");

    // The time without service: the longest wait for an acknowledgement after the kill.
    let mut times: Vec<Instant> = acked.iter().map(|a| a.2).filter(|t| *t >= killed).collect();
    times.sort();
    let gap = times.first().map(|f| f.duration_since(killed)).unwrap_or_default();
    let gap = times.windows(2).map(|w| w[1].duration_since(w[0])).fold(gap, Duration::max);
    println!(
        "{} exchanges acknowledged, {} refused and retried; {} lost the database leader, {} promoted; {:.1} s without service",
        acked.len(),
        refused.load(std::sync::atomic::Ordering::Relaxed),
        lost,
        new_leader.split_whitespace().next().unwrap_or("?"),
        gap.as_secs_f64()
    );
    let mut acked: Vec<(u64, String)> = acked.into_iter().map(|(i, e, _)| (i, e)).collect();

    // Cut off from its database (the proxy stopped): an exchange is refused with the reason,
    // nothing acknowledged; joined again, the next is answered.
    cluster("proxy-stop", &ha_dir);
    let provider = b.agency.id.clone();
    let refusal = a.agency.ask(&query(0, &provider)).await.err().expect("an exchange without a database");
    println!("cut off from the database: {refusal}");
    assert!(refusal.to_string().contains("database"), "{refusal}");
    cluster("proxy-start", &ha_dir);
    let t = Instant::now();
    let r = loop {
        match a.agency.ask(&query(1, &provider)).await {
            Ok(r) => break r,
            Err(e) => assert!(t.elapsed() < Duration::from_secs(30), "not served again after the proxy returned: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    acked.push((r.record, r.entry));
    all_included(&client, &url, &acked).await;

    // The lost server back as a standby; then eligibility checks under load lose the new
    // leader: every check confirmed is in the check log.
    cluster("rejoin", &ha_dir);
    let health_db = myna_testkit::postgres_url_on(&ha).await.expect("a database on the HA cluster");
    let mut bench = Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["bench", "eligibility", "--insured", "2000", "--checks", "20000", "--concurrency", "16"])
        .args(["--claim-lines", "0", "--retry", "--db", &health_db])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = bench.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        use std::io::BufRead;
        let (mut seen, mut kill) = (Vec::new(), Some(()));
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            // The checks start right after the cards have signed.
            if line.starts_with("card signatures") && kill.take().is_some() {
                std::thread::sleep(Duration::from_millis(500));
                seen.push(format!("killed the leader {}", kill_leader(&ha_dir)));
            }
            seen.push(line);
        }
        seen
    });
    let status = bench.wait().unwrap();
    let seen = lines.join().unwrap().join("\n");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut bench.stderr.take().unwrap(), &mut err).unwrap();
    println!("{seen}");
    assert!(status.success(), "{seen}\n{err}");
    assert!(
        seen.contains("killed the leader") && seen.contains("20000 of 20000 confirmed checks in the check log"),
        "{seen}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
