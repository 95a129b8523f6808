//! `myna bench login`: logins per second end to end over HTTPS — a J-LIS node and a verifier
//! node on this machine, cards issued by J-LIS, real challenges signed by the cards, every
//! login checked for chain, policy, validity, revocation (CRL) and signature.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use base64ct::{Base64, Encoding};
use clap::Args;
use myna_node::NodeIdentity;
use myna_pki::login::Challenge;
use myna_pki::softcard::KdfParams;
use myna_pki::token::CardToken;
use myna_pki::{CardCert, CertKind, Secret};
use serde_json::{Value, json};

use super::{latencies, percentile};
use crate::cmd::CmdResult;
use crate::cmd::card::{JlisArgs, issue_into};

#[derive(Args)]
pub struct LoginBench {
    #[arg(long, default_value_t = 20_000)]
    logins: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Distinct cards logging in.
    #[arg(long, default_value_t = 8)]
    cards: usize,
}

/// Runs `n` requests with `concurrency` in flight; returns latencies (ms) of the ones that
/// succeeded and the wall time.
pub(super) async fn drive<F, Fut>(
    n: usize,
    concurrency: usize,
    f: F,
) -> Result<(Vec<f64>, f64), Box<dyn std::error::Error>>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (f, next) = (f.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                if f(i).await {
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            lat
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await?);
    }
    let wall = start.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Ok((all, wall))
}

/// Cards J-LIS issued to residents registered for a load scenario: their unlocked
/// user-authentication keys, the certificates (DER, base64) and serials.
pub(super) struct BenchCards {
    pub keys: Vec<myna_pki::softcard::UnlockedKey>,
    pub certs: Vec<String>,
    pub serials: Vec<String>,
}

/// Registers `n` residents at J-LIS and issues each a card (cheap key derivation).
pub(super) async fn issue_cards(jlis: &JlisArgs, n: usize) -> Result<BenchCards, Box<dyn std::error::Error>> {
    let password = Secret::new(CertKind::Signing, "BENCH1")?;
    let pin = Secret::new(CertKind::UserAuth, "1234")?;
    let mut out = BenchCards { keys: Vec::new(), certs: Vec::new(), serials: Vec::new() };
    for i in 0..n {
        let r = jlis
            .post("/v1/events", json!({"kind": "first_registration", "on": "2020-04-01", "name": format!("負荷 太郎{i}"), "kana": "フカ タロウ", "birth": "1975-04-01", "sex": "male", "address": "東京都千代田区霞が関二丁目1番地2号"}))
            .await?;
        let code = r["resident"]["code"].as_str().ok_or("no resident code")?.to_string();
        let applied = jlis.post("/v1/cards/applications", json!({"resident": code})).await?;
        let number = applied["card"].as_str().ok_or("no card number")?.to_string();
        let mut card = issue_into(jlis, &number, Vec::new(), &password, &pin, KdfParams::LIGHT).await?;
        let cert = CardCert::parse(card.certificate(CertKind::UserAuth).ok_or("no cert")?.as_bytes())?;
        out.serials.push(cert.serial.to_string());
        out.certs.push(Base64::encode_string(&cert.der));
        out.keys.push(card.unlock(&pin)?);
    }
    Ok(out)
}

impl LoginBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("login")?;
        self.run_in(&dir.0).await
    }

    async fn run_in(&self, dir: &std::path::Path) -> CmdResult {
        let network = dir.join("network");
        let (jlis_node, jlis) = super::start_jlis(dir, &network).await?;
        let client = jlis.client()?;

        // Residents with cards.
        let BenchCards { keys, certs, .. } = issue_cards(&jlis, self.cards.max(1)).await?;

        // The verifier.
        let trust = myna_rp::fetch_trust(&client, &jlis.jlis).await?;
        let service =
            Arc::new(myna_rp::Service::new("https://verifier.bench", trust, b"bench pseudonym key", &jlis.jlis));
        service.crl.refresh(&client, service.trust()).await?;
        let rp_node = myna_rp::start(
            service,
            &NodeIdentity::load_or_create(&network, "verifier", &[])?,
            SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .await?;
        let rp = rp_node.url();
        println!(
            "J-LIS {}  verifier {rp}  {} cards, {} logins, {} in flight",
            jlis.jlis, self.cards, self.logins, self.concurrency
        );

        // 1. Challenges.
        let challenges = Arc::new(std::sync::Mutex::new(vec![String::new(); self.logins]));
        let (c2, rp2, cl2) = (challenges.clone(), rp.clone(), client.clone());
        let (lat, wall) = drive(self.logins, self.concurrency, move |i| {
            let (c, rp, cl) = (c2.clone(), rp2.clone(), cl2.clone());
            async move {
                let Ok(res) = cl.post(format!("{rp}/v1/login/challenge")).send().await else { return false };
                let Ok(v) = res.json::<Value>().await else { return false };
                let Some(text) = v["challenge"].as_str() else { return false };
                if let Ok(mut all) = c.lock() {
                    all[i] = text.to_string();
                }
                true
            }
        })
        .await?;
        println!(
            "challenges: {} in {:.2} s = {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
            lat.len(),
            wall,
            lat.len() as f64 / wall,
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );

        // 2. The cards sign (a chip would take ~0.1-0.5 s each; not part of the login rate).
        let texts: Vec<String> = challenges.lock().map_err(|_| "lock")?.clone();
        let t = Instant::now();
        let mut bodies = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let c = Challenge::parse(text)?;
            let k = i % keys.len();
            let sig = keys[k].sign_digest(&c.digest())?;
            bodies.push(
                json!({"challenge": text, "certificate": certs[k], "signature": Base64::encode_string(&sig)})
                    .to_string(),
            );
        }
        let sign_secs = t.elapsed().as_secs_f64();
        println!(
            "card signatures (precomputed, outside the timed logins): {} in {:.2} s = {:.0}/s",
            bodies.len(),
            sign_secs,
            bodies.len() as f64 / sign_secs
        );

        // 3. Logins.
        let bodies = Arc::new(bodies);
        let ok = Arc::new(AtomicUsize::new(0));
        let (b2, rp2, cl2, ok2) = (bodies.clone(), rp.clone(), client.clone(), ok.clone());
        let (lat, wall) = drive(self.logins, self.concurrency, move |i| {
            let (b, rp, cl, ok) = (b2.clone(), rp2.clone(), cl2.clone(), ok2.clone());
            async move {
                let Ok(res) = cl
                    .post(format!("{rp}/v1/login"))
                    .header("content-type", "application/json")
                    .body(b[i].clone())
                    .send()
                    .await
                else {
                    return false;
                };
                let good = res.status() == reqwest::StatusCode::CREATED;
                let _ = res.bytes().await;
                if good {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
                good
            }
        })
        .await?;
        let ok = ok.load(Ordering::Relaxed);
        println!(
            "logins: {ok} of {} accepted in {:.2} s = {:.0} logins/s, {}",
            self.logins,
            wall,
            ok as f64 / wall,
            latencies(&lat)
        );
        if ok != self.logins {
            return Err(format!("{} logins were refused", self.logins - ok).into());
        }
        rp_node.shutdown().await;
        jlis_node.shutdown().await;
        Ok(())
    }
}
