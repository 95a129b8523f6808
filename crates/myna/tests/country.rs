//! `myna country`: a country of separate processes from a country file. A node killed with
//! SIGKILL in the middle of writes is started again by the supervisor and serves every write
//! it acknowledged; status shows the restart; `down` stops every process, and a supervisor
//! killed takes its nodes with it.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

fn myna(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_myna")).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn status(file: &str) -> Value {
    let (ok, out) = myna(&["country", "status", file, "--json"]);
    assert!(ok, "{out}");
    serde_json::from_str(&out).unwrap()
}

fn node<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["nodes"].as_array().unwrap().iter().find(|n| n["name"] == name).unwrap()
}

fn alive(pid: i64) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
}

fn kill9(pid: i64) {
    assert!(Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap().success());
}

/// Waits until `name` runs again after `restarts` restarts and answers on its port.
async fn restarted(file: &str, name: &str, restarts: u64, client: &reqwest::Client, url: &str) -> Value {
    let start = Instant::now();
    loop {
        let s = status(file);
        let n = node(&s, name).clone();
        if n["restarts"] == restarts
            && n["state"] == "running"
            && client.get(format!("{url}/healthz")).send().await.is_ok()
        {
            return n;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{name} was not started again: {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_country_of_processes_survives_killed_nodes() {
    let dir = std::env::temp_dir().join(format!("myna-country-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = myna_testkit::free_ports(3);
    let file = dir.join("country.toml");
    std::fs::write(
        &file,
        format!(
            r#"state = "state"
[[node]]
name = "jlis"
kind = "jlis"
listen = "127.0.0.1:{}"
[[node]]
name = "hub"
kind = "hub"
listen = "127.0.0.1:{}"
[[node]]
name = "chiyoda"
kind = "agency"
id = "municipality:131016"
display = "千代田区"
listen = "127.0.0.1:{}"
"#,
            port,
            port + 1,
            port + 2
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (ok, out) = myna(&["country", "up", f]);
    assert!(ok, "{out}");
    for name in ["jlis", "hub", "chiyoda"] {
        assert!(out.lines().any(|l| l.starts_with(name) && l.contains("running") && l.contains(" yes ")), "{out}");
    }
    // Each node holds its own key and the CA's certificate, nothing of another organization's
    // and not the CA's key.
    let own = dir.join("state/chiyoda/network");
    assert!(own.join("municipality:131016/node.key").exists() && own.join("ca.pem").exists());
    assert!(!own.join("ca.key").exists() && !own.join("hub").exists() && !own.join("jlis").exists());

    // An operator's scraper, with the network's monitor certificate `up` made: the hub asks
    // every caller for one. Its log's size and queue are there.
    let network = dir.join("state/network");
    let monitor = myna_node::NodeIdentity::load_or_create(&network, "monitor", &[]).unwrap().client().unwrap();
    let hub_url = format!("https://localhost:{}", port + 1);
    let m = monitor.get(format!("{hub_url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("myna_log_entries ") && m.contains("myna_log_queue 0"), "{m}");
    assert!(m.contains("myna_db_connections{state=\"open\"}"), "{m}");
    let (ok, y) = myna(&["country", "prometheus", f]);
    assert!(ok && y.contains(&format!("targets: [\"localhost:{}\"]", port + 1)), "{y}");
    let (ok, again) = myna(&["country", "up", f]);
    assert!(!ok && again.contains("this country is up"), "{again}");

    // 千代田区's clerk system writes births to J-LIS; J-LIS is killed while they run.
    let client =
        myna_node::NodeIdentity::load_or_create(&network, "municipality:131016", &[]).unwrap().client().unwrap();
    let url = format!("https://localhost:{port}");
    let births = common::births::start(&client, &url, 4);
    births.until(40).await;
    let before = status(f);
    let jlis_pid = node(&before, "jlis")["pid"].as_i64().unwrap();
    kill9(jlis_pid);
    let acked = births.acked().await;
    assert!(acked.len() >= 40, "too few writes before the kill to mean anything: {}", acked.len());
    let jlis = restarted(f, "jlis", 1, &client, &url).await;
    assert_ne!(jlis["pid"].as_i64().unwrap(), jlis_pid);
    assert_eq!(jlis["last_exit"], "killed by signal 9");
    common::births::all_kept(&client, &url, &acked, "jlis").await;
    // The hub too; the human-readable status says so.
    let hub_pid = node(&status(f), "hub")["pid"].as_i64().unwrap();
    kill9(hub_pid);
    restarted(f, "hub", 1, &client, &hub_url).await;
    let (ok, out) = myna(&["country", "status", f]);
    assert!(ok && out.lines().any(|l| l.starts_with("hub") && l.contains("killed by signal 9")), "{out}");

    // Down: every process gone.
    let pids: Vec<i64> = status(f)["nodes"].as_array().unwrap().iter().map(|n| n["pid"].as_i64().unwrap()).collect();
    let supervisor = status(f)["supervisor"].as_i64().unwrap();
    let (ok, out) = myna(&["country", "down", f]);
    assert!(ok && out.contains("stopped"), "{out}");
    assert!(!alive(supervisor) && pids.iter().all(|p| !alive(*p)), "a process outlived down: {pids:?}");
    assert!(status(f)["nodes"].as_array().unwrap().iter().all(|n| n["state"] == "stopped"));

    // A supervisor killed outright: its nodes stop with it rather than run unsupervised.
    let (ok, out) = myna(&["country", "up", f]);
    assert!(ok, "{out}");
    let s = status(f);
    let pids: Vec<i64> = s["nodes"].as_array().unwrap().iter().map(|n| n["pid"].as_i64().unwrap()).collect();
    kill9(s["supervisor"].as_i64().unwrap());
    let start = Instant::now();
    while pids.iter().any(|p| alive(*p)) {
        assert!(start.elapsed() < Duration::from_secs(20), "nodes outlived their supervisor: {pids:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (ok, out) = myna(&["country", "up", f]);
    assert!(ok, "a country comes up again after its supervisor was killed: {out}");
    let (ok, _) = myna(&["country", "down", f]);
    assert!(ok);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `deploy/demo.toml`, the demo's own description, runs as a country of processes (on free
/// ports, in a scratch folder): every organization of the demo starts and answers, the
/// municipalities' benefit systems in their processes, 預金保険機構 with its banks, the kiosk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_as_a_country_of_processes() {
    let dir = std::env::temp_dir().join(format!("myna-demo-country-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/demo.toml")).unwrap();
    // The demo's ports from 7443, moved to free ones in the same order.
    let base = myna_testkit::free_ports(46);
    let mut moved = String::new();
    for line in text.lines() {
        let line = match line.split_once("\"127.0.0.1:") {
            Some((k, rest)) => {
                let p: u16 = rest.trim_end_matches('"').parse().unwrap();
                format!("{k}\"127.0.0.1:{}\"", base + (p - 7443))
            }
            None => line.replace("../.myna/demo-country", "demo"),
        };
        moved.push_str(&line);
        moved.push('\n');
    }
    let file = dir.join("demo.toml");
    std::fs::write(&file, &moved).unwrap();
    let f = file.to_str().unwrap();
    let (ok, out) = myna(&["country", "up", f]);
    let s = status(f);
    let nodes = s["nodes"].as_array().unwrap();
    assert!(ok && nodes.len() > 30, "{out}");
    for n in nodes {
        let name = n["name"].as_str().unwrap();
        assert!(
            out.lines().any(|l| l.starts_with(name) && l.contains("running") && l.contains(" yes ")),
            "{name}: {out}"
        );
    }
    // 千代田区's benefit system (in its municipality's process), the kiosk and a bank answer.
    let network = dir.join("demo/network");
    let monitor = myna_node::NodeIdentity::load_or_create(&network, "monitor", &[]).unwrap().client().unwrap();
    for (what, offset) in [("benefits of 千代田区", 32), ("kiosk", 44), ("bank 0005", 41)] {
        let url = format!("https://localhost:{}/healthz", base + offset);
        let r = monitor.get(&url).send().await;
        assert!(r.is_ok_and(|r| r.status().is_success()), "{what} at {url}");
    }
    let (ok, out) = myna(&["country", "down", f]);
    assert!(ok, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
