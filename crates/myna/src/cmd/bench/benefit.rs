//! `myna bench benefit`: a push benefit over a municipality of N residents, end to end on real
//! nodes (J-LIS, the hub, the municipality, the account registry, the portal's inbox): the
//! determination from the municipality's own records, each recipient's account asked through
//! the hub and their notice sent (stored by the portal), the approval after the deadline
//! (accounts asked again) and the 総合振込 file. The reference, in the same run: a plain read
//! of the same records (every copy's row read and its JSON parsed, nothing decided).

use std::time::Instant;

use clap::Args;
use myna_benefits::rule::{Amount, Condition, Definition};
use myna_jlis::store::RegistryStore;
use myna_linkage::agency::{self, AgencyConfig};
use myna_node::NodeIdentity;
use myna_population::livelihood::{self, Holder};
use myna_store::Db;
use myna_zengin::{AccountKind, Requester};

use super::link::any;
use crate::cmd::CmdResult;

#[derive(Args)]
pub struct BenefitBench {
    #[arg(long, default_value_t = 100_000)]
    residents: u64,
    /// The municipality (its local government code).
    #[arg(long, default_value = "271004")]
    municipality: String,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

impl BenefitBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("benefit")?;
        let dir = &dir.0;
        let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
        let network = dir.join("network");
        let id = |n: &str| NodeIdentity::load_or_create(&network, n, &[]);
        let today = myna_benefits::today_jst();
        let (hub, hub_state) = myna_linkage::hub::start(Db::open(&db("hub.db")).await?, &id("hub")?, any()).await?;
        let store = RegistryStore::open(Db::open(&db("jlis.db")).await?, || [9; 32]).await?;
        // The municipality's residents into J-LIS, a household at a time, keeping what the
        // agencies record of each.
        let start = Instant::now();
        let lg = self.municipality.as_str();
        let mut g = myna_population::Generator::within(self.seed, today, &[lg]).ok_or("no such municipality")?;
        let mut households = Vec::new();
        let mut n = 0u64;
        store.begin_bulk().await?;
        while n < self.residents {
            let mut batch = Vec::new();
            let mut shapes = Vec::new();
            while batch.len() < 20_000 && n < self.residents {
                let h = g.next_household();
                n += h.len() as u64;
                shapes.push(h.len());
                batch.extend(h);
            }
            let base = store.reserve_households(shapes.len() as u64).await?;
            let loaded = store.load(&batch, base, today).await?;
            let mut at = 0;
            for (k, len) in shapes.into_iter().enumerate() {
                let members = &batch[at..at + len];
                let key = base + k as u64;
                let h = livelihood::household(
                    self.seed,
                    key,
                    today,
                    members.iter().map(livelihood::Person::from).collect(),
                );
                // Each member's number with the 4 items the agencies hold (the register's).
                let numbers: Vec<myna_link::LinkItems> = loaded[at..at + len]
                    .iter()
                    .zip(members)
                    .map(|(r, m)| myna_jlis::link_items_of(m, &format!("{:012}", r.number.value())))
                    .collect();
                households.push((h, numbers));
                at += len;
            }
        }
        store.finish_bulk().await?;
        let jlis = myna_jlis::start_with_hub(store, &id("jlis")?, any(), Some(&hub.url())).await?;
        let _ = hub_state.jlis.set(jlis.url());
        let config = |name: &str| AgencyConfig {
            name: name.into(),
            hub_url: hub.url(),
            jlis_url: jlis.url(),
            login_service: None,
        };
        let city_id = format!("municipality:{lg}");
        let cell = myna_benefits::routes::Cell::default();
        let inbox = cell.clone();
        let city = agency::start_with(Db::open(&db("city.db")).await?, &id(&city_id)?, any(), config(lg), move |a| {
            myna_benefits::routes::inbox(inbox, Default::default(), a)
        })
        .await?;
        let registry = myna_accounts::start(
            Db::open(&db("registry.db")).await?,
            &id("account_registry")?,
            any(),
            config("registry"),
        )
        .await?;
        let portal_db = Db::open(&db("portal.db")).await?;
        let portal_store = myna_portal::store::PortalStore::open(portal_db.clone()).await?;
        let portal = agency::start_with(portal_db, &id("portal")?, any(), config("portal"), move |a| {
            myna_portal::inbox_routes(myna_portal::Inbox {
                agency: a,
                store: portal_store,
                live: myna_portal::Live::new(),
            })
        })
        .await?;
        for a in [&city.agency, &registry.agency.agency, &portal.agency] {
            a.register().await?;
        }
        // Each resident enrolled at the city with its copies, and at the registry with their
        // account, a thousand a request.
        let holder = Holder::Municipality(lg.to_string());
        let mut seq = 0u64;
        for chunk in households.chunks(400) {
            let (mut enrol, mut copies, mut reg, mut accounts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (h, numbers) in chunk {
                let first = seq;
                for (mi, m) in h.members.iter().enumerate() {
                    let person = format!("{:010}", first + mi as u64);
                    enrol.push((person.clone(), numbers[mi].clone()));
                    if let Some(a) = &m.account {
                        reg.push((person.clone(), numbers[mi].clone()));
                        accounts.push((a.clone(), m.person.kana.clone()));
                    }
                }
                for c in livelihood::copies(h).into_iter().filter(|c| c.holder == holder) {
                    copies.push((format!("{:010}", first + c.member as u64), c.item.to_string(), c.data));
                }
                seq += h.members.len() as u64;
            }
            for e in enrol.chunks(1000) {
                city.agency.enrol_batch(e).await?;
            }
            for c in copies.chunks(2000) {
                city.agency.put_copies(c).await?;
            }
            let mut codes = Vec::new();
            for r in reg.chunks(1000) {
                codes.extend(registry.agency.agency.enrol_batch(r).await?);
            }
            let entries: Vec<(&str, myna_accounts::Request<'_>, &str)> = codes
                .iter()
                .zip(&accounts)
                .filter_map(|(c, (a, kana))| {
                    Some((
                        c.as_deref().ok()?,
                        (a.bank, a.branch, a.kind, a.number.as_str(), kana.as_str()),
                        kana.as_str(),
                    ))
                })
                .collect();
            registry.registry.register_many(&entries, &myna_accounts::Channel::Portal, myna_node::now_secs()).await?;
        }
        println!(
            "a municipality ({lg}) of {n} residents in {} households, enrolled at it and at the account registry: {:.1} s",
            households.len(),
            start.elapsed().as_secs_f64()
        );

        // The reference: every record of the city read and parsed.
        let t = Instant::now();
        let (mut rows, mut after) = (0usize, String::new());
        loop {
            let (page, last) = city.agency.store.holdings(&after, 5_000).await?;
            for (_, _, body) in &page {
                let _: serde_json::Value = serde_json::from_str(body)?;
            }
            rows += page.len();
            match last {
                Some(l) => after = l,
                None => break,
            }
        }
        let plain = t.elapsed().as_secs_f64();
        println!(
            "reference: a plain read of the city's {rows} records (rows read, JSON parsed): {plain:.2} s, {:.0} residents/s",
            n as f64 / plain
        );

        let payer = Requester {
            code: format!("{lg}0001"),
            name: "シ".into(),
            bank: ("0001".into(), String::new()),
            branch: ("001".into(), String::new()),
            kind: AccountKind::Current,
            number: "1234567".into(),
        };
        let b = myna_benefits::start(
            Db::open(&db("benefits.db")).await?,
            city.agency.clone(),
            &id("benefits")?,
            any(),
            (payer, "https://portal.example"),
            (cell, None),
            None,
        )
        .await?
        .benefits;
        let def = Definition {
            name: "子育て世帯生活支援特別給付金".into(),
            amount: Amount::Child { yen: 50_000 },
            rule: vec![Condition::NonTaxableHousehold, Condition::ChildrenUnder { age: 18 }],
            basis: today,
            decline_by: today,
            pay_on: today + time::Duration::days(7),
        };
        let run = Instant::now();
        let benefit = b.define(&def, "bench", today).await?.id;
        let t = Instant::now();
        let d = b.determine(&benefit).await?;
        let determined = t.elapsed().as_secs_f64();
        println!(
            "determined: {} of {} households eligible, {} in all, {determined:.2} s, {:.0} residents/s ({:.2} × the plain read's time)",
            d.eligible,
            d.households,
            myna_text::yen(d.total),
            n as f64 / determined,
            determined / plain
        );
        let t = Instant::now();
        let told = b.notify(&benefit).await?;
        let notified = t.elapsed().as_secs_f64();
        println!(
            "notified: {} with their account, {} asked to give one (each an account query through the hub and a notice stored by the portal): {notified:.2} s, {:.0} recipients/s",
            told.with_account,
            told.without_account,
            (told.with_account + told.without_account) as f64 / notified
        );
        let t = Instant::now();
        let a = b.approve(&benefit, "bench", today + time::Duration::days(1)).await?;
        let file = b.transfer_file(&benefit).await?;
        let approved = t.elapsed().as_secs_f64();
        let back = myna_zengin::Transfer::read(&file)?;
        println!(
            "approved (accounts asked again) and the 総合振込 file written and read back: {} payments, {}, {} bytes, {approved:.2} s",
            back.payments.len(),
            myna_text::yen(back.total()),
            file.len()
        );
        println!("time to the transfer file from the definition: {:.2} s", run.elapsed().as_secs_f64());
        let _ = a;
        Ok(())
    }
}
