//! `myna bench moving`: 引越しワンストップ end to end on real nodes (J-LIS, the hub, 千代田区
//! and 大阪市 with their moving desks, the portal): per move, the resident's application
//! signed with the card, pushed as the 転出届 (the desk has J-LIS name the signer and record
//! the 転出) and as the 転入予約, then the 転入 completed at 大阪市. The reference in the same
//! run: life events recorded at J-LIS directly (a 転居 each), with the same concurrency.

use std::sync::Arc;

use base64ct::{Base64, Encoding as _};
use clap::Args;
use myna_jlis::store::RegistryStore;
use myna_link::{AgencyId, Enrolment, MoveApplication, Movers, PushKind, SignedInstruction};
use myna_node::NodeIdentity;
use myna_pki::{CardCert, CertKind, Secret, softcard::KdfParams, token::CardToken};
use myna_store::Db;
use serde_json::json;

use super::{latencies, link::any, login::drive};
use crate::cmd::{
    CmdResult,
    card::{JlisArgs, issue_into},
};

#[derive(Args)]
pub struct MovingBench {
    /// Residents who each move once (each gets a card first: an RSA key pair a slot).
    #[arg(long, default_value_t = 200)]
    moves: usize,
    /// Moves in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// A resident ready to move: the record code, the portal's local id, the signing key.
struct Mover {
    code: String,
    local: String,
    signing: myna_pki::softcard::UnlockedKey,
    cert: String,
}

impl MovingBench {
    pub async fn run(self) -> CmdResult {
        let dir = super::Scratch::new("moving")?;
        let dir = &dir.0;
        let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
        let network = dir.join("network");
        let id = |n: &str| NodeIdentity::load_or_create(&network, n, &[]);
        let (hub, hub_state) = myna_linkage::hub::start(Db::open(&db("hub.db")).await?, &id("hub")?, any()).await?;
        let store = RegistryStore::open(Db::open(&db("jlis.db")).await?, || [8; 32]).await?;
        let jlis = myna_jlis::start_with_hub(store, &id("jlis")?, any(), Some(&hub.url())).await?;
        let _ = hub_state.jlis.set(jlis.url());
        let (hub_url, jlis_url) = (hub.url(), jlis.url());
        let start = |lg: &'static str, name: &'static str| {
            let (network, db, hub_url, jlis_url) =
                (network.clone(), db(&format!("{lg}.db")), hub_url.clone(), jlis_url.clone());
            async move {
                crate::cmd::node::start_municipality(
                    &network,
                    &format!("municipality:{lg}"),
                    name,
                    Some(db),
                    any(),
                    (&hub_url, &jlis_url),
                )
                .await
            }
        };
        let _chiyoda = start("131016", "千代田区").await?;
        let osaka = start("271004", "大阪市").await?.desk;
        let config = myna_linkage::agency::AgencyConfig {
            name: "マイナポータル".into(),
            hub_url: hub_url.clone(),
            jlis_url: jlis_url.clone(),
            login_service: None,
        };
        // The portal's own inbox keeps the desks' notices.
        let portal_db = Db::open(&db("portal.db")).await?;
        let portal_store = myna_portal::store::PortalStore::open(portal_db.clone()).await?;
        let portal = myna_linkage::agency::start_with(portal_db, &id("portal")?, any(), config, move |a| {
            myna_portal::inbox_routes(myna_portal::Inbox {
                agency: a,
                store: portal_store,
                live: myna_portal::Live::new(),
            })
        })
        .await?;
        portal.agency.register().await?;

        // Residents of 千代田区, each with a card, known to the portal by their certificate.
        let clerk = JlisArgs::member(jlis_url.clone(), network.join("ca.pem"), "municipality:131016")?;
        let (password, pin) = (Secret::new(CertKind::Signing, "BENCH1")?, Secret::new(CertKind::UserAuth, "1234")?);
        let setup = std::time::Instant::now();
        let mut movers = Vec::new();
        for i in 0..self.moves {
            let r = clerk
                .post("/v1/events", json!({"kind": "first_registration", "on": "2020-04-01", "name": format!("引越 花子{i}"), "kana": "ヒッコシ ハナコ", "birth": "1985-04-01", "sex": "female", "address": format!("東京都千代田区霞が関二丁目1番{}号", i % 50 + 1)}))
                .await?;
            let code = r["resident"]["code"].as_str().ok_or("no resident code")?.to_string();
            let applied = clerk.post("/v1/cards/applications", json!({"resident": code})).await?;
            let number = applied["card"].as_str().ok_or("no card number")?.to_string();
            let mut card = issue_into(&clerk, &number, Vec::new(), &password, &pin, KdfParams::LIGHT).await?;
            let auth = CardCert::parse(card.certificate(CertKind::UserAuth).ok_or("no cert")?.as_bytes())?;
            let sign = CardCert::parse(card.certificate(CertKind::Signing).ok_or("no cert")?.as_bytes())?;
            let local = format!("bench{i}");
            portal.agency.enrol(&local, Enrolment::Certificate { user_auth_serial: auth.serial.to_string() }).await?;
            movers.push(Mover {
                code,
                local,
                signing: card.unlock(&password)?,
                cert: Base64::encode_string(&sign.der),
            });
        }
        println!(
            "{} residents with cards in {:.1} s; {} in flight",
            self.moves,
            setup.elapsed().as_secs_f64(),
            self.concurrency
        );

        // The moves.
        let today = myna_node::today_jst().to_string();
        let codes: Arc<Vec<String>> = Arc::new(movers.iter().map(|m| m.code.clone()).collect());
        let movers = Arc::new(movers);
        let (portal, osaka) = (portal.agency.clone(), osaka.clone());
        let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let f2 = failures.clone();
        let (lat, wall) = drive(self.moves, self.concurrency, move |i| {
            let (movers, portal, osaka, today, failures) =
                (movers.clone(), portal.clone(), osaka.clone(), today.clone(), f2.clone());
            async move {
                let m = &movers[i];
                let run = async {
                    let app = MoveApplication {
                        movers: Movers::Named { names: vec![] },
                        to: format!("大阪府大阪市北区梅田一丁目{}番1号", i % 12 + 1),
                        on: today.clone(),
                        visit: today.clone(),
                        contact: "090-0000-0000".into(),
                        at: myna_node::now_secs(),
                    };
                    let bytes = app.bytes();
                    let signature = m.signing.sign_digest(&myna_pki::sha256(&bytes)).map_err(|e| e.to_string())?;
                    let signed = SignedInstruction {
                        certificate: m.cert.clone(),
                        message: Base64::encode_string(&bytes),
                        signature: Base64::encode_string(&signature),
                    };
                    let plain = serde_json::to_vec(&signed).map_err(|e| e.to_string())?;
                    for (to, kind) in
                        [("municipality:131016", PushKind::MoveOut), ("municipality:271004", PushKind::MoveIn)]
                    {
                        let to: AgencyId = to.parse().map_err(|e: myna_link::CodeError| e.to_string())?;
                        portal.push(&m.local, &to, kind, &plain, 0).await.map_err(|e| e.to_string())?;
                    }
                    osaka.complete(std::slice::from_ref(&m.code), &today).await.map_err(|e| e.to_string())?;
                    Ok::<_, String>(())
                };
                match run.await {
                    Ok(()) => true,
                    Err(e) => {
                        if let Ok(mut f) = failures.lock() {
                            f.push(e);
                        }
                        false
                    }
                }
            }
        })
        .await?;
        // The reference, after the moves (a 転居 revokes the signing certificate): a 転居 in
        // 大阪市 per resident, recorded at J-LIS directly.
        let refs = codes.clone();
        let c = Arc::new(clerk.as_municipality("271004")?.client()?);
        let (refs2, c2, j2, t2) = (refs.clone(), c.clone(), jlis_url.clone(), myna_node::today_jst().to_string());
        let (rlat, rwall) = drive(self.moves, self.concurrency, move |i| {
            let (refs, c, j, today2) = (refs2.clone(), c2.clone(), j2.clone(), t2.clone());
            async move {
                let body = json!({"kind": "move_within", "on": today2.clone(), "resident": refs[i], "address": format!("大阪府大阪市中央区大手前二丁目1番{}号", i % 50 + 1)});
                let r = c.post(format!("{j}/v1/events")).header("idempotency-key", format!("ref{i}")).json(&body).send().await;
                r.map(|r| r.status().is_success()).unwrap_or(false)
            }
        })
        .await?;
        let rate = rlat.len() as f64 / rwall;
        println!("reference: {} 転居 at J-LIS in {rwall:.2} s = {rate:.0}/s, {}", rlat.len(), latencies(&rlat));

        let done = lat.len();
        let per = done as f64 / wall;
        println!(
            "moves: {done} of {} end to end in {wall:.2} s = {per:.1}/s ({:.3} of the reference), {}",
            self.moves,
            per / rate.max(f64::MIN_POSITIVE),
            latencies(&lat)
        );
        if let Ok(f) = failures.lock()
            && let Some(first) = f.first()
        {
            println!("  {} failed; the first: {first}", f.len());
        }
        Ok(())
    }
}
