//! `myna bench inspection`: マイナンバー情報総点検 at J-LIS over --links links of a generated
//! country, with wrong links planted for each of the seed's causes (`myna_population::mislinks`,
//! at the seed's rate unless --per-million says otherwise):
//! links classed per second, the time the national 82.08M would take at that rate, and the
//! planted errors found against the truth (recall and precision). Reference in the same run:
//! `POST /v1/verify` (one number against its 4 items a request), at the same concurrency.

use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use myna_jlis::store::RegistryStore;
use myna_population::mislinks::{self, Rates};
use myna_store::Db;
use serde_json::{Value, json};

use super::{latencies, login::drive};
use crate::cmd::CmdResult;

#[derive(Args)]
pub struct InspectionBench {
    #[arg(long, default_value_t = 200_000)]
    links: u64,
    /// Wrong links planted per million for each of the seed's three causes (family swap, a
    /// 2-item lookup, a miswritten number); default: the seed's overall rate (8,395 of
    /// 82.08M, about 35 per million a cause).
    #[arg(long)]
    per_million: Option<u32>,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

impl InspectionBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("inspection")?;
        let network = dir.0.join("network");
        let store =
            RegistryStore::open(Db::open(&format!("sqlite://{}", dir.0.join("jlis.db").display())).await?, || [4; 32])
                .await?;
        let today = myna_node::today_jst();
        let mut g = myna_population::Generator::within(self.seed, today, &["131016", "271004"])
            .ok_or("no such municipality")?;
        let start = Instant::now();
        let (mut lines, mut planted) = (Vec::new(), std::collections::BTreeSet::new());
        let mut households = 0u64;
        let rates = match self.per_million {
            Some(n) => Rates::each(n),
            None => Rates::seed(),
        };
        store.begin_bulk().await?;
        while (lines.len() as u64) < self.links {
            let mut batch = Vec::new();
            let mut shapes = Vec::new();
            while batch.len() < 20_000 && (lines.len() + batch.len()) as u64 <= self.links {
                let h = g.next_household();
                shapes.push(h.len());
                batch.extend(h);
            }
            if batch.is_empty() {
                break;
            }
            let base = store.reserve_households(shapes.len() as u64).await?;
            let loaded = store.load(&batch, base, today).await?;
            // The agency's own items of each person, with the number its link carries: the
            // person's own, or another's where an error of the seed's causes is planted.
            for (l, own) in
                mislinks::plant(self.seed, "pension_service", households, &shapes, &rates).iter().zip(&batch)
            {
                if l.cause.is_some() {
                    planted.insert(lines.len());
                }
                let number = loaded.get(l.number_of).ok_or("planted past the batch")?.number.as_str().replace(' ', "");
                lines.push(json!({"number": number, "name": own.name.kanji, "birth": own.birth.to_string(),
                    "sex": own.sex.map(|s| s.as_str()), "address": own.address.line()}));
            }
            households += shapes.len() as u64;
        }
        store.finish_bulk().await?;
        println!(
            "{} links of {} households loaded in {:.1} s, {} planted wrong",
            lines.len(),
            households,
            start.elapsed().as_secs_f64(),
            planted.len()
        );
        let identity = myna_node::NodeIdentity::load_or_create(&network, "jlis", &[])?;
        let node = myna_jlis::start(store, &identity, std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let client = Arc::new(myna_node::NodeIdentity::load_or_create(&network, "pension_service", &[])?.client()?);
        let url = node.url();

        // The reference: one link verified a request.
        let lines = Arc::new(lines);
        let sample = 5_000.min(lines.len());
        let (l2, c2, u2) = (lines.clone(), client.clone(), url.clone());
        let (rlat, rwall) = drive(sample, self.concurrency * 8, move |i| {
            let (l, c, u) = (l2.clone(), c2.clone(), u2.clone());
            async move {
                let mut body = l[i].clone();
                body["task"] = json!("pension_award");
                body["case"] = json!("bench");
                c.post(format!("{u}/v1/verify"))
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false)
            }
        })
        .await?;
        let rate_ref = rlat.len() as f64 / rwall;
        println!(
            "reference: {} links verified one a request in {rwall:.2} s = {rate_ref:.0}/s, {}",
            rlat.len(),
            latencies(&rlat)
        );

        // The inspection, a thousand a request.
        let batches = lines.len().div_ceil(myna_jlis::INSPECTION_BATCH_MAX);
        // Per answered line only whether it was classed wrong: ten million answers kept whole
        // would take more memory than the machine has.
        let found = Arc::new(std::sync::Mutex::new(Vec::<(usize, bool)>::new()));
        let (l3, c3, u3, f3) = (lines.clone(), client.clone(), url.clone(), found.clone());
        let (lat, wall) = drive(batches, self.concurrency, move |b| {
            let (l, c, u, f) = (l3.clone(), c3.clone(), u3.clone(), f3.clone());
            async move {
                let from = b * myna_jlis::INSPECTION_BATCH_MAX;
                let to = (from + myna_jlis::INSPECTION_BATCH_MAX).min(l.len());
                let body = json!({"task": "pension_award", "case": "bench", "lines": &l[from..to]});
                let Ok(r) = c.post(format!("{u}/v1/inspection")).json(&body).send().await else { return false };
                let Ok(v) = r.json::<Vec<Value>>().await else { return false };
                if let Ok(mut f) = f.lock() {
                    f.extend(
                        v.iter().map(|x| (from + x["line"].as_u64().unwrap_or(0) as usize, x["standing"] == "wrong")),
                    );
                }
                true
            }
        })
        .await?;
        let found = std::mem::take(&mut *found.lock().map_err(|_| "lock")?);
        let per = found.len() as f64 / wall;
        let wrong: std::collections::BTreeSet<usize> = found.iter().filter(|(_, w)| *w).map(|(i, _)| *i).collect();
        let hit = wrong.intersection(&planted).count();
        println!(
            "inspection: {} links in {} batches ({} answered) in {wall:.2} s = {per:.0} links/s ({:.1} × the reference), batch {}",
            found.len(),
            batches,
            lat.len(),
            per / rate_ref.max(f64::MIN_POSITIVE),
            latencies(&lat)
        );
        println!(
            "  the national 82.08M links at this rate: {:.1} h; planted wrong {}, reported wrong {}, recall {:.4}, precision {:.4}",
            82_080_000.0 / per.max(f64::MIN_POSITIVE) / 3600.0,
            planted.len(),
            wrong.len(),
            hit as f64 / planted.len().max(1) as f64,
            hit as f64 / wrong.len().max(1) as f64
        );
        Ok(())
    }
}
