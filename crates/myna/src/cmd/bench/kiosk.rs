//! `myna bench kiosk`: コンビニ交付 end to end on real nodes (the hub, J-LIS with its issuance
//! centre and log, 千代田区's agency and certificate server, a store's kiosk by its
//! certificate). Per document: the card's signature over the kiosk's challenge checked at
//! J-LIS (signature, certificate status, the holder's record, the municipality found and its
//! offering asked), then the order relayed to the municipality, which reads the record, signs
//! the code, logs the issuance in J-LIS's transparency log and commits its ledger before the
//! PDF comes back. The cards' signatures are made before the timed part (a chip takes its own
//! time). Then every PDF checked offline with J-LIS's key list. The reference in the same run:
//! a plain HTTPS round trip to J-LIS (its public key list), with the same concurrency.

use std::sync::Arc;

use base64ct::{Base64, Encoding as _};
use clap::Args;
use myna_node::NodeIdentity;
use myna_pki::login::Challenge;
use myna_store::Db;
use serde_json::{Value, json};

use super::{
    latencies,
    link::any,
    login::{BenchCards, drive, issue_cards},
};
use crate::cmd::{CmdResult, card::JlisArgs};

/// The kiosk's certificate name.
const KIOSK: &str = "kiosk:bench-0001";

#[derive(Args)]
pub struct KioskBench {
    /// Documents printed.
    #[arg(long, default_value_t = 500)]
    documents: usize,
    /// Residents with cards (each card signs many challenges).
    #[arg(long, default_value_t = 20)]
    cards: usize,
    /// Documents in flight at once (kiosks printing at the same time).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

impl KioskBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("kiosk")?;
        let dir = &dir.0;
        let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
        let network = dir.join("network");
        let id = |n: &str| NodeIdentity::load_or_create(&network, n, &[]);
        let city = super::Chiyoda::start(dir).await?;
        let (jlis_url, chiyoda, cell) = (city.jlis.url(), &city.agency, city.cell.clone());
        let payer = myna_zengin::Requester {
            code: "1310160001".into(),
            name: "チヨダク".into(),
            bank: ("0001".into(), String::new()),
            branch: ("001".into(), String::new()),
            kind: myna_zengin::AccountKind::Current,
            number: "1234567".into(),
        };
        let _office = myna_benefits::start(
            Db::open(&db("office.db")).await?,
            chiyoda.agency.clone(),
            &id("benefits-131016")?,
            any(),
            (payer, "https://portal.invalid"),
            (cell, None),
            None,
        )
        .await?;
        let clerk = JlisArgs::member(jlis_url.clone(), network.join("ca.pem"), "municipality:131016")?;
        let BenchCards { keys, certs, .. } = issue_cards(&clerk, self.cards.max(1)).await?;
        let kiosk = id(KIOSK)?.client()?;
        // The certificate server registers with J-LIS's centre as it starts.
        let keys_url = format!("{jlis_url}/v1/issuers/keys");
        for _ in 0..100 {
            let list: Value = myna_node::get_json(&kiosk, &keys_url).await?;
            if list["issuers"].as_array().is_some_and(|a| a.iter().any(|k| k["kid"] == "131016")) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }

        // The cards sign the kiosk's challenges (not timed).
        let expires = myna_node::now_secs() + 900;
        let mut proofs = Vec::with_capacity(self.documents);
        for i in 0..self.documents {
            let k = i % keys.len();
            let mut nonce = [0u8; 16];
            nonce[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let c = Challenge { service: KIOSK.into(), nonce, expires };
            let sig = keys[k].sign_digest(&c.digest())?;
            proofs.push(
                json!({"challenge": c.text(), "certificate": certs[k], "signature": Base64::encode_string(&sig)}),
            );
        }
        println!(
            "{} cards of 千代田区's residents, {} documents, {} in flight (the hub, J-LIS, 千代田区's agency and certificate server, the kiosk on this machine)",
            keys.len(),
            self.documents,
            self.concurrency
        );

        // The reference: a plain HTTPS round trip to J-LIS.
        let (k2, u2) = (kiosk.clone(), keys_url.clone());
        let (rlat, rwall) = drive(self.documents, self.concurrency, move |_| {
            let (k, u) = (k2.clone(), u2.clone());
            async move { myna_node::get_json::<Value>(&k, &u).await.is_ok() }
        })
        .await?;
        let rate = rlat.len() as f64 / rwall;
        println!(
            "reference: {} key lists read at J-LIS in {rwall:.2} s = {rate:.0}/s, {}",
            rlat.len(),
            latencies(&rlat)
        );

        // One order first: outside the municipality's kiosk hours there is nothing to time.
        if let Err(why) = print(&kiosk, &jlis_url, &proofs[0]).await {
            if why.contains("6:30") || why.contains("年末年始") || why.contains("hours") {
                println!(
                    "not measured: 千代田区 issues at stores 6:30–23:00 JST except 12/29–1/3, and refused now ({why})"
                );
                return Ok(());
            }
            return Err(why.into());
        }
        let proofs = Arc::new(proofs);
        let pdfs = Arc::new(std::sync::Mutex::new(Vec::with_capacity(self.documents)));
        let (k2, j2, p2, out) = (kiosk.clone(), jlis_url.clone(), proofs.clone(), pdfs.clone());
        let n = self.documents - 1;
        let (lat, wall) = drive(n, self.concurrency, move |i| {
            let (k, j, p, out) = (k2.clone(), j2.clone(), p2.clone(), out.clone());
            async move {
                match print(&k, &j, &p[i + 1]).await {
                    Ok(pdf) => out.lock().map(|mut v| v.push(pdf)).is_ok(),
                    Err(e) => {
                        tracing::warn!(error = %e, "kiosk order");
                        false
                    }
                }
            }
        })
        .await?;
        let per = lat.len() as f64 / wall;
        println!(
            "documents printed: {} of {n} in {wall:.2} s = {per:.0}/s ({:.3} of the reference), {}",
            lat.len(),
            per / rate.max(f64::MIN_POSITIVE),
            latencies(&lat)
        );

        // Every PDF checked offline with J-LIS's key list (signature and log receipt).
        let list: myna_issuance::KeyList = myna_node::get_json(&kiosk, &keys_url).await?;
        let issuers = myna_issuance::IssuerKeys::from_list(&list)?;
        let pdfs = pdfs.lock().map(|v| v.clone()).unwrap_or_default();
        let t = std::time::Instant::now();
        let good = pdfs
            .iter()
            .filter(|p| myna_issuance::verify::check(p, &issuers, list.log.as_ref()).is_ok_and(|c| c.logged.is_some()))
            .count();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "checked offline (signature and log receipt, one thread): {good} of {} valid in {secs:.2} s = {:.0}/s",
            pdfs.len(),
            pdfs.len() as f64 / secs.max(f64::MIN_POSITIVE)
        );
        if good != pdfs.len() || lat.len() != n {
            return Err("some documents were not printed or do not check".into());
        }
        Ok(())
    }
}

/// One person at the kiosk: the card's proof opens a session at J-LIS, the order prints.
async fn print(kiosk: &reqwest::Client, jlis: &str, proof: &Value) -> Result<Vec<u8>, String> {
    let session: Value =
        myna_node::post_json(kiosk, &format!("{jlis}/v1/kiosk/sessions"), proof).await.map_err(|e| e.to_string())?;
    let order = json!({"session": session["session"], "kind": "resident_copy", "options": {}});
    let pdf = myna_node::post_for_bytes(kiosk, &format!("{jlis}/v1/kiosk/documents"), &order)
        .await
        .map_err(|e| e.to_string())?;
    if !pdf.starts_with(b"%PDF-") {
        return Err("not a PDF".into());
    }
    Ok(pdf.to_vec())
}
