//! `myna bench eligibility`: eligibility checks at facilities per second end to end over
//! HTTPS — a J-LIS node, the health node with `--insured` people registered, cards issued by
//! J-LIS signing real challenges, every check verified (chain, policy, CRL, signature,
//! one-time challenge), looked up among all the insured, and logged durably with its consent
//! before the answer. Then the time to load a month of claims.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use myna_healthnode::store::{EligibilityRow, HealthStore};
use myna_node::NodeIdentity;
use myna_store::Db;

use super::login::{BenchCards, drive, issue_cards};
use super::reception::Terminal;
use super::{latencies, percentile};
use crate::cmd::CmdResult;

#[derive(Args)]
pub struct EligibilityBench {
    /// Insured people registered (each with an eligibility record and a registered card).
    #[arg(long, default_value_t = 10_000_000)]
    insured: usize,
    #[arg(long, default_value_t = 30_000)]
    checks: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Real cards issued by J-LIS (the others are registered under synthetic serials).
    #[arg(long, default_value_t = 32)]
    cards: usize,
    /// Claim lines in the month loaded after the checks (0 to skip).
    #[arg(long, default_value_t = 1_000_000)]
    claim_lines: usize,
    /// The health database; default a new SQLite file in the scratch folder. With --reuse,
    /// one this command loaded before with the same --insured.
    #[arg(long)]
    db: Option<String>,
    #[arg(long, requires = "db")]
    reuse: bool,
    /// Try a check that was not confirmed again with a fresh challenge (for up to two
    /// minutes), then show that every confirmed check is in the check log and the longest
    /// wait for a confirmation: for a database failover under load.
    #[arg(long)]
    retry: bool,
}

/// Fixed-width numbers and serials, as insurers and CAs issue them: rows then arrive in index
/// order, and a load of millions appends to the B-trees instead of splitting pages at random.
fn number(i: usize) -> String {
    format!("{i:010}")
}

fn record(i: usize) -> String {
    // The shape the node stores (myna_health::Eligibility as JSON).
    format!(
        r#"{{"insurer":"01130012","symbol":"{}","number":"{}","branch":"00","name":"負荷 太郎","kana":"フカ タロウ","birth":"1975-04-01","copay_percent":30,"limit":"ウ","valid_from":"2023-04-01","valid_to":null}}"#,
        i / 100_000,
        number(i)
    )
}

impl EligibilityBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("eligibility")?;
        self.run_in(&dir.0).await
    }

    async fn run_in(&self, dir: &std::path::Path) -> CmdResult {
        let network = dir.join("network");
        let (jlis_node, jlis) = super::start_jlis(dir, &network).await?;
        let client = jlis.client()?;

        // Cards.
        let BenchCards { keys, certs, serials } = issue_cards(&jlis, self.cards.max(1)).await?;

        // The insured.
        let db_url = self.db.clone().unwrap_or_else(|| format!("sqlite://{}", dir.join("health.db").display()));
        let store = HealthStore::open(Db::open(&db_url).await?).await?;
        let have = store.count_eligibility().await? as usize;
        if self.reuse && have == self.insured {
            println!("reusing {have} insured in {db_url}");
        } else if have != 0 {
            return Err(format!(
                "{db_url} holds {have} eligibility records; use a new database (or --reuse with --insured {have})"
            )
            .into());
        } else {
            let t = Instant::now();
            let bar = indicatif::ProgressBar::new(self.insured as u64).with_message("registering the insured");
            let step = (self.insured / self.cards.max(1)).max(1);
            let mut batch = Vec::with_capacity(50_000);
            for i in 0..self.insured {
                let serial = if i % step == 0 && i / step < serials.len() {
                    serials[i / step].clone()
                } else {
                    format!("B{i:012X}")
                };
                let e = EligibilityRow {
                    id: 0,
                    code: format!("h{i:012}"),
                    card: format!("01130012|{}|{}|00", i / 100_000, number(i)),
                    insurer: "01130012".into(),
                    birth: "1975-04-01".into(),
                    record: record(i),
                    valid_from: "2023-04-01".into(),
                    valid_to: None,
                };
                batch.push((e, Some(serial)));
                if batch.len() == 50_000 {
                    store.bulk_load(&batch, myna_node::now_secs()).await?;
                    bar.inc(batch.len() as u64);
                    batch.clear();
                }
            }
            store.bulk_load(&batch, myna_node::now_secs()).await?;
            bar.finish_and_clear();
            let s = t.elapsed().as_secs_f64();
            println!(
                "registered {} insured (eligibility and card) in {s:.1} s = {:.0}/s",
                self.insured,
                self.insured as f64 / s
            );
        }
        drop(store);

        // The health node, with a hub to register with (nothing passes through it here).
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        let hub_db = Db::open(&format!("sqlite://{}", dir.join("hub.db").display())).await?;
        let (hub, _) = myna_linkage::hub::start(
            hub_db,
            &NodeIdentity::load_or_create(&network, myna_linkage::hub::HUB_ID, &[])?,
            any,
        )
        .await?;
        let config = myna_healthnode::HealthConfig {
            jlis_url: jlis.jlis.clone(),
            hub_url: hub.url(),
            cards: None,
            staff_cards: None,
        };
        let started = myna_healthnode::start(
            Db::open(&db_url).await?,
            &NodeIdentity::load_or_create(&network, myna_healthnode::HEALTH_ID, &[])?,
            any,
            any,
            config,
        )
        .await?;
        let key = started
            .health
            .add_facility(&myna_healthnode::FacilityNew {
                code: "1312345678".into(),
                name: "負荷試験クリニック".into(),
            })
            .await
            .map_err(|e| e.to_string())?;
        let facility = format!("1312345678:{}", key.key);
        let api = started.api.url();
        println!(
            "J-LIS {}  health {api}  {} cards, {} checks, {} in flight",
            jlis.jlis, self.cards, self.checks, self.concurrency
        );

        // 1. Challenges from the facility's reader.
        let terminal = Arc::new(Terminal { api: api.clone(), client: client.clone(), facility, keys, certs });
        let challenges = Arc::new(std::sync::Mutex::new(vec![String::new(); self.checks]));
        let (c2, t2) = (challenges.clone(), terminal.clone());
        let (lat, wall) = drive(self.checks, self.concurrency, move |i| {
            let (c, t) = (c2.clone(), t2.clone());
            async move {
                let Some(text) = t.challenge().await else { return false };
                if let Ok(mut all) = c.lock() {
                    all[i] = text;
                }
                true
            }
        })
        .await?;
        println!(
            "challenges: {} in {:.2} s = {:.0}/s, p99 {:.2} ms",
            lat.len(),
            wall,
            lat.len() as f64 / wall,
            percentile(&lat, 0.99)
        );

        // 2. The cards sign (a chip takes 0.1–0.5 s; not part of the check rate).
        let texts: Vec<String> = challenges.lock().map_err(|_| "lock")?.clone();
        let t = Instant::now();
        let mut bodies = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            bodies.push(terminal.signed(i, text)?);
        }
        println!(
            "card signatures (precomputed, outside the timed checks): {} in {:.2} s",
            bodies.len(),
            t.elapsed().as_secs_f64()
        );

        // 3. Checks.
        let bodies = Arc::new(bodies);
        let ok = Arc::new(AtomicUsize::new(0));
        let retried = Arc::new(AtomicUsize::new(0));
        let confirmed: Arc<std::sync::Mutex<Vec<(String, Instant)>>> = Arc::default();
        let retry = self.retry;
        let (b2, t2, ok2, r2, c2) = (bodies.clone(), terminal.clone(), ok.clone(), retried.clone(), confirmed.clone());
        let (lat, wall) = drive(self.checks, self.concurrency, move |i| {
            let (b, t, ok, r, c) = (b2.clone(), t2.clone(), ok2.clone(), r2.clone(), c2.clone());
            async move {
                let mut id = t.check(b[i].clone()).await;
                if id.is_none() && retry {
                    id = t.until_confirmed(i, Duration::from_secs(120), &r).await;
                }
                let Some(id) = id else { return false };
                ok.fetch_add(1, Ordering::Relaxed);
                if retry && let Ok(mut c) = c.lock() {
                    c.push((id, Instant::now()));
                }
                true
            }
        })
        .await?;
        let ok = ok.load(Ordering::Relaxed);
        println!(
            "eligibility checks: {ok} of {} confirmed among {} insured in {:.2} s = {:.0} checks/s, {}",
            self.checks,
            self.insured,
            wall,
            ok as f64 / wall,
            latencies(&lat)
        );
        if ok != self.checks {
            return Err(format!("{} checks were not confirmed", self.checks - ok).into());
        }
        if self.retry {
            let mut confirmed = confirmed.lock().map_err(|_| "lock")?.clone();
            let mut missing = 0;
            for (id, _) in &confirmed {
                if started.health.store.reception(id).await?.is_none() {
                    missing += 1;
                }
            }
            confirmed.sort_by_key(|c| c.1);
            let gap = confirmed.windows(2).map(|w| w[1].1.duration_since(w[0].1)).max().unwrap_or_default();
            println!(
                "retried {} times; the longest wait between confirmations {:.1} s; {} of {} confirmed checks in the check log",
                retried.load(Ordering::Relaxed),
                gap.as_secs_f64(),
                confirmed.len() - missing,
                confirmed.len()
            );
            if missing > 0 {
                return Err(format!("{missing} confirmed checks are not in the check log").into());
            }
        }

        // 4. A month of claims.
        if self.claim_lines > 0 {
            let mut text = String::with_capacity(self.claim_lines * 120);
            for l in 0..self.claim_lines {
                let i = (l * 7919) % self.insured.max(1);
                if l % 2 == 0 {
                    text.push_str(&format!(
                        "EXP,01130012,{},{},00,2026-10,負荷試験クリニック,外来,1,8600,2580\n",
                        i / 100_000,
                        number(i)
                    ));
                } else {
                    text.push_str(&format!("MED,01130012,{},{},00,2026-10-15,負荷試験薬局,負荷試験クリニック,内服,アムロジピン錠5mg,1日1回朝食後服用,1錠,30,210,95\n", i / 100_000, number(i)));
                }
            }
            let t = Instant::now();
            let loaded = myna_healthnode::load_claims(&started.health.store, &text).await.map_err(|e| e.to_string())?;
            let s = t.elapsed().as_secs_f64();
            println!(
                "claims: {} lines ({} MB) matched and stored in {s:.1} s = {:.0} lines/s; {} unmatched; a month at one claim per insured ({}) would take {:.0} s",
                loaded.lines,
                text.len() / 1_000_000,
                loaded.lines as f64 / s,
                loaded.unmatched_count,
                self.insured,
                self.insured as f64 / (loaded.lines as f64 / s)
            );
        }
        started.api.shutdown().await;
        started.node.shutdown().await;
        hub.shutdown().await;
        jlis_node.shutdown().await;
        Ok(())
    }
}
