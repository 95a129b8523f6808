//! The demo country's health node: a clinic and a pharmacy registered, the demo residents'
//! eligibility pushed through the hub by their own insurers, PMH records from their
//! municipalities, and five years of claims (medication, checkups, expenses) loaded.

use std::path::Path;

use myna_jlis::store::NewResident;
use myna_population::livelihood::{self, Member, cover::Scheme};
use serde_json::{Value, json};

use crate::cmd::link::ClerkArgs;

pub struct HealthDemo {
    pub started: myna_healthnode::Started,
    /// The demo clinic's `code:key` for the facility API.
    pub clinic: String,
}

pub(super) const CLINIC: &str = "1312345678";
const PHARMACY: &str = "1342345678";

/// Starts the health node (facility API on J-LIS's port + 9, linkage node + 10) and registers
/// the demo clinic and pharmacy the first time (their keys kept in `facilities.json`).
pub async fn start(
    dir: &Path,
    network: &Path,
    described: &crate::cmd::country::Node,
    jlis: &str,
    hub: &str,
) -> Result<HealthDemo, Box<dyn std::error::Error>> {
    let crate::cmd::country::Role::Health { node } = &described.role else {
        return Err("the demo's health node is not one".into());
    };
    let (db, cards) = (Some(described.db.clone()), described.cards.clone());
    let started = crate::cmd::node::start_health(network, db, described.listen, *node, hub, jlis, cards).await?;
    let file = dir.join("facilities.json");
    let keys: Value = match std::fs::read(&file) {
        Ok(b) => serde_json::from_slice(&b)?,
        Err(_) => {
            let mut keys = serde_json::Map::new();
            for (code, name) in [(CLINIC, "千代田オン資格クリニック"), (PHARMACY, "霞が関オン資格薬局")]
            {
                let k = started
                    .health
                    .add_facility(&myna_healthnode::FacilityNew { code: code.into(), name: name.into() })
                    .await
                    .map_err(|e| e.to_string())?;
                keys.insert(code.into(), json!(format!("{code}:{}", k.key)));
            }
            let v = Value::Object(keys);
            crate::cmd::card_file::write_atomic(&file, &serde_json::to_vec_pretty(&v)?)?;
            v
        }
    };
    let clinic = keys[CLINIC].as_str().ok_or("facilities.json has no clinic")?.to_string();
    Ok(HealthDemo { started, clinic })
}

/// Eligibility from each story resident's own insurer (their municipality for 国保), PMH
/// records from their municipality, and the claims, for residents enrolled by
/// `Country::seed` (each known as `resident<n>` at every agency that holds them).
pub async fn seed(
    h: &HealthDemo,
    network: &Path,
    link: &super::link::Linkage,
    insured: &[(&str, &NewResident, &Member)],
) -> Result<usize, Box<dyn std::error::Error>> {
    let clerk = |id: &str| -> Result<ClerkArgs, Box<dyn std::error::Error>> {
        let url = link.url_of(id).ok_or_else(|| format!("the demo has no agency {id}"))?;
        Ok(ClerkArgs::new(url, crate::cmd::node::token_path(network, id), network.join("ca.pem")))
    };
    let today = crate::cmd::today();
    let mut claims = String::from("# demo claims: medication, checkups and expenses\n");
    let mut n = 0;
    for (i, &(person, p, m)) in insured.iter().enumerate() {
        let Some(insurer) = m.cover.insurer.as_deref() else { continue };
        let city = format!("municipality:{}", livelihood::municipality_of(&m.person.lg_code));
        let insurer_id =
            if m.cover.scheme == Scheme::National { city.clone() } else { format!("health_insurer:{insurer}") };
        let age = m.age;
        let limit = if age >= 70 { "一般" } else { "ウ" };
        let copay = match age {
            0..6 | 70..75 => 20,
            75.. => 10,
            _ => 30,
        };
        let (symbol, number) = (m.cover.symbol.as_str(), m.cover.number.as_str());
        let record = json!({"insurer": insurer, "symbol": symbol, "number": number, "branch": "00", "name": p.name.kanji, "kana": p.name.kana,
            "birth": p.birth.to_string(), "copay_percent": copay, "limit": limit, "valid_from": m.cover.since.to_string()});
        clerk(&insurer_id)?
            .call(
                reqwest::Method::POST,
                "/v1/pushes",
                json!({"person": person, "to": "health", "kind": "eligibility", "data": record}),
            )
            .await?;
        let pmh = if age < 15 {
            json!({"type": "subsidy", "kind": "child_medical", "payer": "88130013", "recipient": format!("{:07}", 1_000_000 + i), "copay_yen": 0, "valid_from": "2025-04-01"})
        } else {
            json!({"type": "subsidy", "kind": "intractable_disease", "payer": "54136015", "recipient": format!("{:07}", 2_000_000 + i), "copay_yen": 2500, "valid_from": "2025-04-01", "valid_to": format!("{}-03-31", today.year() + 1)})
        };
        clerk(&city)?
            .call(
                reqwest::Method::POST,
                "/v1/pushes",
                json!({"person": person, "to": "health", "kind": "pmh", "data": pmh}),
            )
            .await?;
        claims.push_str(&demo_claims(&format!("{insurer},{symbol},{number},00"), today, i));
        n += 1;
    }
    let loaded = myna_healthnode::load_claims(&h.started.health.store, &claims).await.map_err(|e| e.to_string())?;
    println!(
        "  health: {n} residents' eligibility and PMH pushed through the hub by their insurers, {} claim records loaded",
        loaded.added
    );
    Ok(n)
}

/// Claims for one demo resident: five yearly checkups with a rising blood pressure, a few
/// dispensings this year, and the expenses of this year and last.
fn demo_claims(card: &str, today: time::Date, i: usize) -> String {
    let mut out = String::new();
    for k in 0..5 {
        let year = today.year() - 4 + k;
        let sys = 122 + 6 * k + i as i32 * 3;
        out.push_str(&format!(
            "CHK,{card},{year}-07-04,千代田健診センター,height=172.3;weight={:.1};waist={};bmi={:.1};systolic={sys};diastolic={};triglycerides={};hdl=62;ldl={};ast=24;alt={};ggt=40;fasting_glucose={};hba1c={:.1}\n",
            60.0 + k as f64,
            78 + k,
            20.2 + 0.3 * k as f64,
            76 + 3 * k,
            120 + 40 * k,
            118 + 6 * k,
            20 + 8 * k,
            96 + 8 * k,
            5.4 + 0.2 * k as f64,
        ));
    }
    let y = today.year();
    for (m, day) in [(1, 15), (4, 10), (7, 22)] {
        out.push_str(&format!("MED,{card},{y}-{m:02}-{day:02},霞が関オン資格薬局,千代田オン資格クリニック,内服,アムロジピン錠5mg,1日1回朝食後服用,1錠,30,210,95\n"));
        out.push_str(&format!("MED,{card},{y}-{m:02}-{day:02},霞が関オン資格薬局,千代田オン資格クリニック,外用,ロキソプロフェンNaテープ100mg,1日1回貼付,14枚,14,180,\n"));
        out.push_str(&format!("EXP,{card},{y}-{m:02},千代田オン資格クリニック,外来,1,8600,2580\n"));
        out.push_str(&format!("EXP,{card},{y}-{m:02},霞が関オン資格薬局,調剤,1,4100,1230\n"));
        out.push_str(&format!("EXP,{card},{}-{m:02},千代田オン資格クリニック,外来,2,15400,4620\n", y - 1));
    }
    out
}
