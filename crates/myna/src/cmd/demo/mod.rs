//! `myna demo`: the demo country, every node started, what to try printed.

mod benefits;
mod cards;
mod counter;
mod country;
pub(crate) mod describe;
mod health;
mod link;
mod mislink;
mod portal;
mod qualifications;
mod stories;

use std::path::PathBuf;

use clap::Args;
use myna_jlis::store::RegistryStore;
use myna_node::NodeIdentity;
use myna_store::Db;

use myna_jlis::store::NewResident;
use myna_population::livelihood::{self, Member};

use crate::cmd::{CmdResult, card_reader::DEMO_PIN, country::Role, population::load_within, today};

use describe::KIOSK_ID;

#[derive(Args)]
pub struct DemoArgs {
    /// Residents in the demo country.
    #[arg(long, default_value_t = 2_000)]
    residents: u64,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Folder for the demo's databases and certificates; reused if present.
    #[arg(long, default_value = ".myna/demo")]
    dir: PathBuf,
    /// Port of the J-LIS node; the demo's nodes take the 44 ports from it.
    #[arg(long, default_value_t = 7443)]
    port: u16,
    /// Start, print, and stop at once (for scripts that check the demo comes up).
    #[arg(long)]
    check: bool,
}

impl DemoArgs {
    pub async fn run(self) -> CmdResult {
        std::fs::create_dir_all(&self.dir)?;
        // The demo's nodes as a country file describes them (deploy/demo.toml is the same).
        let described = crate::cmd::country::Country::parse(&describe::describe(self.port, "."), &self.dir)?;
        for n in &described.nodes {
            std::fs::create_dir_all(&n.dir)?;
        }
        let node_of =
            |role: &dyn Fn(&Role) -> bool| described.nodes.iter().find(|n| role(&n.role)).ok_or("not in the demo");
        let jlis = node_of(&|r| *r == Role::Jlis)?;
        let db_path = PathBuf::from(jlis.db.trim_start_matches("sqlite://"));
        let fresh = !db_path.exists();
        // The demo's issuing key follows its seed so the same seed gives the same numbers.
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&self.seed.to_le_bytes());
        let store = RegistryStore::open(Db::open(&format!("sqlite://{}", db_path.display())).await?, || key).await?;
        // The day and size the country was generated for: the same people are regenerated
        // from them when the folder is reused (ages follow the day).
        let about = self.dir.join("country.json");
        let numbers_file = self.dir.join("numbers.bin");
        let day = if fresh {
            println!("generating a country of {} residents (seed {}) …", self.residents, self.seed);
            let codes = country::codes();
            let l = load_within(&store, (self.seed, Some(&codes), true), self.residents, today(), 0).await?;
            println!("  {} residents in {} households, {:.1} s", l.residents, l.households, l.seconds);
            // The numbers in load order: how the agencies' copies find each resident's number
            // again, for a seeding resumed after a crash and for a folder reused.
            let bytes: Vec<u8> = l.numbers.iter().flat_map(|n| n.to_le_bytes()).collect();
            crate::cmd::card_file::write_atomic(&numbers_file, &bytes)?;
            let v = serde_json::json!({"seed": self.seed, "residents": self.residents, "today": today().to_string()});
            crate::cmd::card_file::write_atomic(&about, &serde_json::to_vec_pretty(&v)?)?;
            today()
        } else {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&about)?)?;
            let n = v["residents"].as_u64().ok_or("country.json: no residents")?;
            println!("reusing the country in {} ({n} residents); delete the folder for a new one", self.dir.display());
            myna_registry::parse_date(v["today"].as_str().unwrap_or_default())?
        };
        let numbers: Vec<u64> = std::fs::read(&numbers_file)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        let population = country::Population { seed: self.seed, today: day, numbers };
        let country = country::Country::first(&population)?;
        let network = self.dir.join("network");
        let identity = NodeIdentity::load_or_create(&network, "jlis", &[])?;
        // J-LIS's 24×365 card hotline: it suspends a card a holder reports lost.
        NodeIdentity::load_or_create(&network, myna_jlis::HOTLINE, &[])?;
        // A bank's system (三菱UFJ銀行): it registers its customers' public-fund accounts at the
        // account registry's counter with this certificate.
        NodeIdentity::load_or_create(&network, DEMO_BANK, &[])?;
        let hub_url = format!("https://localhost:{}", node_of(&|r| *r == Role::Hub)?.listen.port());
        let node = myna_jlis::start_with_hub(store, &identity, jlis.listen, Some(&hub_url)).await?;
        let ca = network.join("ca.pem");
        let url = node.url();
        let link = link::start(&described, &network, &url).await?;
        let verifier_at = node_of(&|r| *r == Role::Verifier)?.listen;
        let service = format!("https://localhost:{}", verifier_at.port());
        let verifier = crate::cmd::node::start_verifier(&service, &url, &network, verifier_at).await?;
        // Every resident enrolled where they are known, every copy registered; done again
        // (idempotently) until it has finished once.
        let bank_handles: std::collections::BTreeMap<String, std::sync::Arc<myna_deposits::bank::Bank>> =
            link.banks.iter().map(|(c, (_, b))| (c.clone(), b.clone())).collect();
        let seeded = self.dir.join("seeded");
        if !seeded.exists() {
            let start = std::time::Instant::now();
            let bar = indicatif::ProgressBar::new(population.numbers.len() as u64);
            bar.set_style(indicatif::ProgressStyle::with_template(
                "enrolling at every agency {wide_bar} {pos}/{len} residents, {per_sec}, eta {eta}",
            )?);
            let done = |n| bar.set_position(n);
            let (enrolled, copies) =
                country.seed(&population, &link.handles, link.registry.clone(), &bank_handles, &done).await?;
            bar.finish_and_clear();
            println!(
                "  {enrolled} enrolments at {} agencies (codes through J-LIS and the hub), {copies} copies registered, {:.1} s",
                link.agencies.len(),
                start.elapsed().as_secs_f64()
            );
            if let Some(at) = link.handles.get(&mislink::agency()) {
                let (checked, queued) = mislink::inspect(&country, at, &|a| link.handles.contains_key(a)).await?;
                println!(
                    "  マイナンバー情報総点検 at 千代田区: {checked} records checked at J-LIS, {queued} queued for a clerk"
                );
            }
            std::fs::write(&seeded, b"")?;
        }
        let stories: Vec<(&country::Story, &NewResident, &Member)> =
            country.stories.iter().filter_map(|s| country.story_resident(s).map(|(r, m)| (s, &r.new, m))).collect();
        let cards =
            if fresh { issue_demo_cards(&self.dir, &url, &ca, &stories).await? } else { existing_cards(&self.dir) };
        // Four more residents work as staff (大阪市's clerk, the clinic's receptionist, J-LIS's
        // hotline operator, 千代田区's benefits clerk): adults of the same country with no story
        // of their own.
        let staff_people: Vec<NewResident> = if fresh {
            country
                .households
                .iter()
                .enumerate()
                .flat_map(|(hi, (rs, h))| rs.iter().zip(&h.members).enumerate().map(move |(mi, rm)| (hi, mi, rm)))
                .filter(|(hi, mi, (r, m))| m.age >= 25 && r.number.is_some() && country.story_of(*hi, *mi).is_none())
                .map(|(_, _, (r, _))| r.new.clone())
                .take(4)
                .collect()
        } else {
            Vec::new()
        };
        if fresh && let (Some(person), Some(desk)) = (staff_people.first(), link.staff.get(1)) {
            let at = (self.dir.as_path(), url.as_str(), ca.as_path());
            staff_member(at, person, "osaka-clerk.card.json", (STAFF_ACCOUNT, "clerk"), &desk.directory).await?;
        }
        if fresh && let (Some(person), Some(desk)) = (staff_people.get(3), link.staff.first()) {
            let at = (self.dir.as_path(), url.as_str(), ca.as_path());
            staff_member(at, person, "chiyoda-clerk.card.json", (BENEFITS_CLERK, "clerk"), &desk.directory).await?;
        }
        let staff_card = Some(self.dir.join("staff").join("osaka-clerk.card.json")).filter(|f| f.exists());
        let portal_node = node_of(&|r| matches!(r, Role::Portal { .. }))?;
        let portal = portal::start(&self.dir, &network, portal_node, &url, &link.hub.url()).await?;
        let first_city =
            stories.first().map(|(_, _, m)| format!("municipality:{}", livelihood::municipality_of(&m.person.lg_code)));
        if fresh
            && let Some(city) = &first_city
            && let Some(at) = link.url_of(city)
        {
            let name = link.agencies.iter().find(|a| &a.0 == city).map(|a| a.1.clone()).unwrap_or_default();
            portal::notices(&network, (city, &at, &name)).await?;
        }
        let web = portal.started.web.url().replace("127.0.0.1", "localhost");
        let qualifications_url = link.url_of(myna_qualifications::ID);
        if let Some(q) = &qualifications_url {
            portal.started.portal.set_qualifications(q.clone());
        }
        let ran = if fresh { benefits::run_sample(&link).await? } else { Vec::new() };
        let kiosk_node = node_of(&|r| matches!(r, Role::Kiosk { .. }))?;
        let cards_dir = kiosk_node.cards.clone().unwrap_or_else(|| self.dir.join("cards"));
        let kiosk = crate::cmd::roles::start_kiosk(&network, KIOSK_ID, kiosk_node.listen, &url, &cards_dir).await?;
        let kiosk_url = kiosk.url().replace("127.0.0.1", "localhost");
        let health_node = node_of(&|r| matches!(r, Role::Health { .. }))?;
        let health = health::start(&self.dir, &network, health_node, &url, &link.hub.url()).await?;
        if fresh {
            let insured: Vec<(&str, &NewResident, &Member)> =
                stories.iter().take(3).map(|(s, r, m)| (s.person.as_str(), *r, *m)).collect();
            health::seed(&health, &network, &link, &insured).await?;
        }
        if let Some(person) = staff_people.get(2) {
            // J-LIS's staff table, on J-LIS's own database.
            let jlis_db = Db::open(&format!("sqlite://{}", db_path.display())).await?;
            let desk = myna_rp::staff::StaffDirectory::open(jlis_db, myna_jlis::STAFF_ROLES).await?;
            let at = (self.dir.as_path(), url.as_str(), ca.as_path());
            staff_member(at, person, "hotline-operator.card.json", (OPERATOR, "hotline"), &desk).await?;
        }
        if let Some(person) = staff_people.get(1) {
            let at = (self.dir.as_path(), url.as_str(), ca.as_path());
            let role = format!("reception:{}", health::CLINIC);
            let desk = &health.started.health.staff.directory;
            staff_member(at, person, "clinic-reception.card.json", (RECEPTIONIST, &role), desk).await?;
        }
        println!();
        println!("myna demo country is up");
        println!("  J-LIS registry   {url}   (API: {url}/openapi.json, metrics: {url}/metrics)");
        println!("  verifier (login) {}   (API: {}/openapi.json)", verifier.url(), verifier.url());
        println!("  linkage hub      {}   (mutual TLS; API: {}/openapi.json)", link.hub.url(), link.hub.url());
        for (id, name, n) in &link.agencies {
            println!("  agency           {}   {id} ({name})", n.url());
        }
        println!("  portal           {web}   (linkage node {}; API: {web}/openapi.json)", portal.started.node.url());
        for (code, (n, _)) in &link.banks {
            let u = n.url().replace("127.0.0.1", "localhost");
            let name = myna_zengin::Codes::embedded().bank(code).map(|b| b.name).unwrap_or_default();
            println!("  bank             {u}   bank:{code} ({name})");
        }
        for (id, name, b) in &link.benefits {
            let u = b.node.url().replace("127.0.0.1", "localhost");
            println!("  benefit system   {u}   {name}'s 給付システム, beside {id} (API: {u}/openapi.json)");
        }
        println!(
            "  kiosk            {kiosk_url}   a store's multi-copy machine ({KIOSK_ID}), through J-LIS's issuance centre"
        );
        let h = health.started.api.url().replace("127.0.0.1", "localhost");
        println!("  health node      {h}   (linkage node {}; API: {h}/openapi.json)", health.started.node.url());
        if let Some(q) = &qualifications_url {
            println!(
                "  qualifications   {q}   国家資格等情報連携・活用システム (API: {q}/openapi.json; status list {q}/v1/status/1, keys {q}/.well-known/jwt-vc-issuer)"
            );
        }
        println!("  network CA       {}", ca.display());
        println!(
            "  ports            {}–{} (J-LIS's and the {} after it)",
            self.port,
            self.port + link::PORTS - 1,
            link::PORTS - 1
        );
        println!(
            "  as processes     the same organizations, one process each: myna country up deploy/demo.toml (see its header)"
        );
        println!();
        println!("open Myna Portal in a browser: {web}");
        println!("  (the demo's certificates come from its own CA: accept the warning, or trust {})", ca.display());
        println!(
            "  log in with the demo card reader (PIN {DEMO_PIN}); sign applications with the password {DEMO_PASSWORD}"
        );
        println!(
            "  clinic reception: {h}/  (the receptionist {RECEPTIONIST} signs in with the staff card clinic-reception on the demo's staff card reader; or the facility code and key: {})",
            health.clinic.replacen(':', " / ", 1)
        );
        println!(
            "  municipal clerks: {web}/clerk/login  (千代田区's clerk: the second demo card is their staff card; the API: 131016 or 271004, clerk1, {})",
            portal::CLERK_PASSWORD
        );
        if let Some((_, name, b)) = link.benefits.first() {
            let u = b.node.url().replace("127.0.0.1", "localhost");
            println!(
                "  benefits: {u}/  ({name}'s clerk {BENEFITS_CLERK} signs in with the staff card chiyoda-clerk; define a push benefit, run it, approve it after its deadline, download the 総合振込 file)"
            );
            for (name, eligible, with_account) in &ran {
                println!(
                    "    {name}: 子育て世帯生活支援特別給付金 run at start: {eligible} households eligible, {with_account} told with their public-fund account (the rest asked to give one); residents see it in お知らせ and may decline"
                );
            }
        }
        if let (Some((_, name, b)), Some(m)) = (link.benefits.first(), country.mislink)
            && let (Some(record), Some(story)) = (
                mislink::resident(&country, m.record),
                country.stories.iter().find(|s| (s.household, s.member) == m.number_of),
            )
        {
            let u = b.node.url().replace("127.0.0.1", "localhost");
            println!(
                "  マイナンバー情報総点検: {name}'s record of {} was linked before 2023 to {}'s number (a 2-item lookup that matched several people): {}'s わたしの情報 shows {name}'s records of someone else, each exchange in their やりとり履歴; the inspection at start queued it at {u}/links  (clerk {BENEFITS_CLERK}, staff card chiyoda-clerk): correct it with their number {} (confirmed with them), and both are told, {}'s やりとり履歴 marking those exchanges",
                record.new.name.kanji,
                story.person,
                story.person,
                record.number.as_deref().unwrap_or("?"),
                story.person
            );
        }
        if let Some((_, name, b)) = link.benefits.first() {
            let u = b.node.url().replace("127.0.0.1", "localhost");
            println!(
                "  券面事項入力補助: {u}/intake  ({name}'s clerk {BENEFITS_CLERK}, staff card chiyoda-clerk): put a resident's card on the counter's reader with its face-data PIN {}; the number and the 4 items come from the card as J-LIS signed them, nothing typed, and the person is enrolled with them",
                crate::cmd::card_reader::DEMO_PIN
            );
        }
        if let Some((id, name, _)) = link.benefits.first()
            && let Some((person, _)) = counter::resident(&jlis.db, key, &country, id).await
        {
            println!(
                "  コンビニ交付: {kiosk_url}  (a store's kiosk): put {person}'s card on the reader, PIN {DEMO_PIN}, choose {name}'s 住民票の写し, see the fee, confirm: the PDF prints with its signed code; J-LIS checks the card and asks {name}, which decides its hours (6:30–23:00, not 12/29–1/3)"
            );
        }
        if let Some((id, name, b)) = link.benefits.first()
            && let Some((person, code)) = counter::resident(&jlis.db, key, &country, id).await
        {
            let u = b.node.url().replace("127.0.0.1", "localhost");
            println!(
                "  窓口交付: {u}/certificates  ({name}'s clerk {BENEFITS_CLERK}, staff card chiyoda-clerk): issue {person}'s 住民票の写し with resident code {code}; the PDF carries a QR code signed by {name}; anyone checks it at {u}/verify or, for any municipality's document with J-LIS's issuance log, at {web}/documents/verify (a PDF, a photo of the QR code, or its text; withdraw it on the counter page and check again); register their seal from a scan of its impression at {u}/seals, then issue their 印鑑登録証明書 (at the counter or the kiosk); or check offline with every municipality's keys as J-LIS publishes them: curl -sk {url}/v1/issuers/keys > keys.json && myna doc verify FILE.pdf --keys keys.json"
            );
        }
        if let Some(q) = &qualifications_url
            && let Some(person) = qualifications::seed(&jlis.db, &network, key, &country, q).await
        {
            let token = crate::cmd::node::token_path(&network, myna_qualifications::ID);
            println!(
                "  国家資格: {web}/qualifications  ({person} passed the physicians' examination, number {}: apply for 医師 with the card; the keeper's clerk sees the applicant as J-LIS holds them and registers: curl -sk -H \"Authorization: Bearer $(cat {})\" {q}/v1/applications, then -X POST {q}/v1/applications/ID/register; then receive the credential (SD-JWT VC bound to the card) with the registration number); show it to a hospital that asks only for the number and the name: PORTAL={web} CA={} node examples/hiring-verifier/server.mjs, then open http://localhost:7462/",
                qualifications::EXAM,
                token.display(),
                ca.display()
            );
        }
        if let Some((_, name, b)) = link.benefits.iter().find(|(id, _, _)| id == "municipality:271004") {
            let u = b.node.url().replace("127.0.0.1", "localhost");
            println!(
                "  moving: {web}/moving  (one application signed with the card: the 転出届 to the municipality left, the 転入予約 to {name}); {name}'s arrivals with the 転出証明書情報 notified in advance: {u}/moves  (its clerk {STAFF_ACCOUNT} signs in with the staff card osaka-clerk, completes the 転入)"
            );
        }
        println!(
            "  example private service: PORTAL={web} CA={} CLIENT_ID={} CLIENT_SECRET={} node examples/oauth-client/server.mjs",
            ca.display(),
            portal.client["client_id"].as_str().unwrap_or("?"),
            portal.client["client_secret"].as_str().unwrap_or("?")
        );
        println!(
            "  example moving site: PORTAL={web} CA={} CLIENT_ID={} CLIENT_SECRET={} PORT=7461 node examples/moving-site/server.mjs  (registers a move with the resident's consent, tells the utilities they tick, hands over to the portal's 引越し page)",
            ca.display(),
            portal.moving_client["client_id"].as_str().unwrap_or("?"),
            portal.moving_client["client_secret"].as_str().unwrap_or("?")
        );
        if !cards.is_empty() {
            println!();
            println!(
                "demo residents' My Number Cards (user-authentication PIN {DEMO_PIN}, signing password {DEMO_PASSWORD}):"
            );
            for c in &cards {
                println!("  {}", c.display());
                let person = c.file_name().and_then(|f| f.to_str()).unwrap_or_default().trim_end_matches(".card.json");
                if let Some((s, r, m)) = stories.iter().find(|(s, _, _)| s.person == person) {
                    println!(
                        "    {}（{}） ({person} at every agency that holds them): {}",
                        r.name.kanji, r.name.kana, s.what
                    );
                    let held: Vec<String> = country
                        .held_of(s)
                        .into_iter()
                        .map(|(who, items)| format!("{who}（{}）", items.join("・")))
                        .collect();
                    println!("    わたしの情報 shows what {} hold of them", held.join(", "));
                    if let Some(insurer) = &m.cover.insurer {
                        println!(
                            "    {}: 保険者番号 {insurer} 記号 {} 番号 {}",
                            m.cover.scheme.name_ja(),
                            if m.cover.symbol.is_empty() { "-" } else { &m.cover.symbol },
                            m.cover.number
                        );
                    }
                }
            }
            println!(
                "  each sees in Myna Portal's わたしの情報 what their municipality, insurer, the pension service and the others hold of them"
            );
            if let Some(c) = cards.first() {
                println!("lost? the 24×365 hotline suspends it (its certificate is in the demo's network folder):");
                println!(
                    "  MYNA_PIN={DEMO_PIN} myna card suspend --card CARD_NUMBER --operator-card {} --jlis {url} --ca {} --as {}",
                    self.dir.join("staff").join("hotline-operator.card.json").display(),
                    ca.display(),
                    myna_jlis::HOTLINE
                );
                println!(
                    "  (the operator {OPERATOR} signs in with a staff card; or the holder: MYNA_PIN={DEMO_PIN} myna card suspend-mine CARD_FILE --jlis {url} --ca {})",
                    ca.display()
                );
                println!("log in with one:");
                println!(
                    "  MYNA_PIN={DEMO_PIN} myna card login {} --service {} --jlis {url} --ca {}",
                    c.display(),
                    verifier.url(),
                    ca.display()
                );
            }
        }
        if let Some(c) = cards.first() {
            println!();
            println!(
                "check in at the demo clinic with a card (registers it for insurance use, shares medication and checkups):"
            );
            println!(
                "  MYNA_PIN={DEMO_PIN} MYNA_FACILITY={} myna card reception {} --health {h} --ca {} --consent medication,checkups --register",
                health.clinic,
                c.display(),
                ca.display()
            );
        }
        if let Some((_, p, _)) = stories.first() {
            println!();
            let clerk = ca.with_file_name(crate::cmd::card::DEMO_MUNICIPALITY);
            println!(
                "try a 4-item lookup as 千代田区's clerk system (J-LIS answers only a network member's certificate):"
            );
            println!(
                "  curl --cacert {} --cert {} --key {}/node.key {url}/v1/lookup -H 'content-type: application/json' \\\n    -d '{{\"name\":\"{}\",\"birth\":\"{}\",\"sex\":\"{}\",\"address\":\"{}\",\"task\":\"resident_registry\",\"case\":\"R8-0001\"}}'",
                ca.display(),
                curl_cert(&clerk),
                clerk.display(),
                p.name.kanji,
                p.birth,
                p.sex.map(|s| s.as_str()).unwrap_or(""),
                p.address.line()
            );
        }
        let registry_url = link.url_of(&livelihood::Holder::AccountRegistry.agency_id());
        let customer =
            country.stories.get(1).and_then(|s| country.story_resident(s)).and_then(|(r, _)| {
                Some((myna_jlis::link_items_of(&r.new, r.number.as_deref()?), r.new.name.kana.clone()))
            });
        if let (Some(reg), Some((items, kana))) = (registry_url, customer) {
            let (number, kanji) = (&items.number, &items.name);
            // The customer's 4 items as the bank holds them, sent with the number.
            let held = format!(
                "\"number\":\"{number}\",\"name\":\"{kanji}\",\"birth\":\"{}\",\"address\":\"{}\"",
                items.birth, items.address
            );
            let bank = network.join(DEMO_BANK);
            println!();
            println!(
                "register {kanji}'s account at a bank's counter, as 三菱UFJ銀行's system (its network certificate; the customer gave their number and consent there):"
            );
            println!(
                "  curl --cacert {} --cert {} --key {}/node.key {reg}/v1/bank/registrations -H 'content-type: application/json' \\\n    -d '{{{held},\"branch\":\"001\",\"kind\":\"1\",\"account\":\"1234567\",\"holder\":\"{kana}\",\"consent\":\"K-0001\"}}'",
                ca.display(),
                curl_cert(&bank),
                bank.display()
            );
            println!(
                "  (or, as the resident, in Myna Portal under 公金受取口座, signed with the card; a holder's name that is not theirs is refused)"
            );
            if let Some(dic) = link.url_of("deposit_insurance") {
                println!(
                    "link a number to one's accounts at chosen banks, or find them (預貯金口座付番・所在確認): Myna Portal, 預貯金口座の付番 (signed with the card; the result arrives as a notice)"
                );
                println!(
                    "an heir's 所在確認 at a bank's counter, once J-LIS records the death (refused before it), as 三菱UFJ銀行's system:"
                );
                println!(
                    "  curl --cacert {} --cert {} --key {}/node.key {dic}/v1/whereabouts -H 'content-type: application/json' -d '{{{held},\"case\":\"S-0001\"}}'",
                    ca.display(),
                    curl_cert(&bank),
                    bank.display()
                );
            }
        }
        let osaka = "municipality:271004";
        if let (Some(osaka_url), Some((person, task, item, provider))) =
            (link.url_of(osaka), country.example_query(osaka, &|a| link.handles.contains_key(a)))
        {
            let provider_name = link.agencies.iter().find(|a| a.0 == provider).map(|a| a.1.as_str()).unwrap_or("?");
            println!();
            println!(
                "ask, as 大阪市's clerk, {provider_name} for {item} of a resident of 大阪市 ({task}; 大阪市 knows them as {person}):"
            );
            let credential = match &staff_card {
                Some(card) => format!("--card {}", card.display()),
                None => format!("--token-file {}", crate::cmd::node::token_path(&network, osaka).display()),
            };
            println!(
                "  MYNA_PIN={DEMO_PIN} myna link query --agency {osaka_url} {credential} --ca {} \\\n    --person {person} --task {task} --item {item} --provider {provider} --purpose 'R8-0001'",
                ca.display()
            );
            if staff_card.is_some() {
                println!(
                    "  (signed in with the staff card of {STAFF_ACCOUNT}; 大阪市's record names the clerk: myna staff list --db sqlite://{}/municipality-271004/municipality-271004.db)",
                    self.dir.display()
                );
            }
            println!("check the hub's log only grew since last time (proofs built from its hash tiles):");
            println!("  myna log verify --hub {} --network {}", link.hub.url(), network.display());
            println!(
                "  the log as C2SP tlog-tiles, for any tile client with a network certificate: {}/v1/log/checkpoint, /v1/log/vkey, /v1/log/tile/0/000",
                link.hub.url()
            );
        }
        if self.check {
            health.started.api.shutdown().await;
            health.started.node.shutdown().await;
            for (_, _, b) in link.benefits {
                b.node.shutdown().await;
            }
            for (_, (n, _)) in link.banks {
                n.shutdown().await;
            }
            portal.started.web.shutdown().await;
            portal.started.node.shutdown().await;
            for (_, _, n) in link.agencies {
                n.shutdown().await;
            }
            link.hub.shutdown().await;
            verifier.shutdown().await;
            node.shutdown().await;
            return Ok(());
        }
        println!();
        println!("press Ctrl-C to stop");
        tokio::select! {
            r = node.wait() => r?,
            _ = tokio::signal::ctrl_c() => println!("stopping"),
        }
        Ok(())
    }
}

pub(super) const DEMO_PASSWORD: &str = "DEMO2026";

/// A node's certificate for curl's `--cert`, quoted: curl reads a colon there as the start of
/// a password, and our certificates live in folders named `kind:code`.
fn curl_cert(dir: &std::path::Path) -> String {
    format!("'{}'", dir.join("node.pem").display().to_string().replace(':', "\\:"))
}

/// The demo's bank, by its network certificate's name (三菱UFJ銀行's code).
const DEMO_BANK: &str = "bank:0005";

use cards::{BENEFITS_CLERK, OPERATOR, RECEPTIONIST, STAFF_ACCOUNT, existing_cards, issue_demo_cards, staff_member};
