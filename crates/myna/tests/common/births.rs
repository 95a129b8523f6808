//! 千代田区's clerk system recording births at J-LIS from parallel writers, each until a
//! write is refused (the node killed): what was acknowledged, and that J-LIS still has it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Births {
    acks: Arc<AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<Vec<String>>>,
}

/// Starts `workers` writers, each with its own idempotency keys.
pub fn start(client: &reqwest::Client, url: &str, workers: usize) -> Births {
    let acks = Arc::new(AtomicUsize::new(0));
    let tasks = (0..workers)
        .map(|w| {
            let (client, url, acks) = (client.clone(), url.to_string(), acks.clone());
            tokio::spawn(async move {
                let mut acked = Vec::new();
                for i in 0..10_000 {
                    let body = json!({"kind": "birth", "on": "2025-01-01", "name": format!("試験 {w}の{i}"), "kana": "シケン", "address": "東京都千代田区霞が関1-1"});
                    let res = client
                        .post(format!("{url}/v1/events"))
                        .header("idempotency-key", format!("{w}-{i}"))
                        .json(&body)
                        .send()
                        .await;
                    let Ok(r) = res else { break };
                    if r.status() != StatusCode::CREATED {
                        break;
                    }
                    let Ok(v) = r.json::<Value>().await else { break };
                    acked.push(v["resident"]["code"].as_str().unwrap().to_string());
                    acks.fetch_add(1, Ordering::Relaxed);
                }
                acked
            })
        })
        .collect();
    Births { acks, tasks }
}

impl Births {
    /// Waits until `n` writes are acknowledged (a count, not a time: a busy CI machine is
    /// slow), for at most a minute.
    pub async fn until(&self, n: usize) {
        let start = Instant::now();
        while self.acks.load(Ordering::Relaxed) < n && start.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every resident code acknowledged, once the writers have stopped.
    pub async fn acked(self) -> Vec<String> {
        let mut acked = Vec::new();
        for t in self.tasks {
            acked.extend(t.await.unwrap());
        }
        acked
    }
}

/// J-LIS at `url` answers each acknowledged resident.
pub async fn all_kept(client: &reqwest::Client, url: &str, acked: &[String], what: &str) {
    for code in acked {
        let r = client.get(format!("{url}/v1/residents/{code}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "acknowledged resident {code} lost after the kill ({what})");
    }
}
