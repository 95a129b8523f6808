//! `myna bench issuance`: 窓口交付 end to end on real nodes (J-LIS, the hub, 千代田区's agency and
//! its certificate service): per document, the resident's record read from J-LIS over mutual
//! TLS, the code signed and the PDF written, the serial reserved and the ledger row committed
//! (fsync) before it is answered, and the resident looked up for the issuance notice. Then every
//! document checked at the issuer (its code from the PDF, the signature, the ledger). The
//! reference in the same run: J-LIS's `GET /v1/residents/{code}` alone, with the same
//! concurrency.

use std::sync::Arc;

use clap::Args;
use myna_benefits::certificates::{Counter, Standing};
use myna_issuance::{DocKind, Options};
use myna_store::Db;
use serde_json::json;

use super::{latencies, login::drive};
use crate::cmd::{CmdResult, card::JlisArgs};

#[derive(Args)]
pub struct IssuanceBench {
    /// Documents issued.
    #[arg(long, default_value_t = 1000)]
    documents: usize,
    /// Residents they are issued for (registered first).
    #[arg(long, default_value_t = 200)]
    residents: usize,
    /// Documents in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

impl IssuanceBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("issuance")?;
        let dir = &dir.0;
        let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
        let network = dir.join("network");
        let city = super::Chiyoda::start(dir).await?;
        let (jlis_url, chiyoda) = (city.jlis.url(), &city.agency);
        let clerk = JlisArgs::member(jlis_url.clone(), network.join("ca.pem"), "municipality:131016")?;
        let mut codes = Vec::with_capacity(self.residents);
        for i in 0..self.residents {
            let r = clerk
                .post("/v1/events", json!({"kind": "first_registration", "on": "2020-04-01", "name": format!("交付 花子{i}"), "kana": "コウフ ハナコ", "birth": "1985-04-01", "sex": "female", "address": format!("東京都千代田区霞が関二丁目1番{}号", i % 50 + 1)}))
                .await?;
            codes.push(r["resident"]["code"].as_str().ok_or("no resident code")?.to_string());
        }
        let counter = Arc::new(Counter::open(Db::open(&db("certificates.db")).await?, &chiyoda.agency).await?);
        let (codes, agency) = (Arc::new(codes), chiyoda.agency.clone());
        println!(
            "{} residents of 千代田区, {} documents, {} in flight (J-LIS, the hub, 千代田区 on this machine)",
            codes.len(),
            self.documents,
            self.concurrency
        );

        // The reference: J-LIS's record alone.
        let (c, a, j) = (codes.clone(), agency.clone(), jlis_url.clone());
        let (rlat, rwall) = drive(self.documents, self.concurrency, move |i| {
            let (c, a, j) = (c.clone(), a.clone(), j.clone());
            async move {
                let url = format!("{j}/v1/residents/{}", c[i % c.len()]);
                myna_node::get_json::<serde_json::Value>(a.client(), &url).await.is_ok()
            }
        })
        .await?;
        let rate = rlat.len() as f64 / rwall;
        println!("reference: {} records read at J-LIS in {rwall:.2} s = {rate:.0}/s, {}", rlat.len(), latencies(&rlat));

        // The documents.
        let pdfs = Arc::new(std::sync::Mutex::new(Vec::with_capacity(self.documents)));
        let (c, a, k, p) = (codes.clone(), agency.clone(), counter.clone(), pdfs.clone());
        let (lat, wall) = drive(self.documents, self.concurrency, move |i| {
            let (c, a, k, p) = (c.clone(), a.clone(), k.clone(), p.clone());
            async move {
                match k.issue(&a, &c[i % c.len()], DocKind::ResidentCopy, Options::default(), "bench").await {
                    Ok(issued) => p.lock().map(|mut v| v.push(issued.pdf)).is_ok(),
                    Err(e) => {
                        tracing::warn!(error = %e, "issuance");
                        false
                    }
                }
            }
        })
        .await?;
        let per = lat.len() as f64 / wall;
        println!(
            "documents: {} of {} issued in {wall:.2} s = {per:.0}/s ({:.3} of the reference), {}",
            lat.len(),
            self.documents,
            per / rate.max(f64::MIN_POSITIVE),
            latencies(&lat)
        );

        // Every document checked at the issuer.
        let pdfs: Arc<Vec<Vec<u8>>> = Arc::new(pdfs.lock().map(|v| v.clone()).unwrap_or_default());
        let (k, p, a) = (counter.clone(), pdfs.clone(), agency.clone());
        let n = pdfs.len();
        let (vlat, vwall) = drive(n, self.concurrency, move |i| {
            let (k, p, a) = (k.clone(), p.clone(), a.clone());
            async move { matches!(k.check(&a, &p[i]).await, Ok(Standing::Valid(c)) if c.logged.is_some()) }
        })
        .await?;
        let vper = vlat.len() as f64 / vwall;
        println!(
            "checks at the issuer: {} of {n} valid in {vwall:.2} s = {vper:.0}/s ({:.2} × the reference), {}",
            vlat.len(),
            vper / rate.max(f64::MIN_POSITIVE),
            latencies(&vlat)
        );
        Ok(())
    }
}
