//! The demo country's linkage network: the hub and four agency nodes (two municipalities, the
//! pension service, a health insurer), the demo residents enrolled at each through J-LIS and
//! the copies each agency may provide.

use std::{net::SocketAddr, path::Path};

use myna_jlis::store::NewResident;
use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;
use serde_json::{Value, json};

use crate::cmd::{card::JlisArgs, link::ClerkArgs};

/// (id, name, port offset from J-LIS's port).
pub const AGENCIES: &[(&str, &str, u16)] = &[
    ("municipality:131016", "千代田区", 3),
    ("municipality:271004", "大阪市", 4),
    ("pension_service", "日本年金機構", 5),
    ("health_insurer:01130012", "全国健康保険協会 東京支部", 6),
];

pub struct Linkage {
    pub hub: RunningNode,
    pub agencies: Vec<(String, String, RunningNode)>,
    /// Each agency's staff sign-in, in the order of `agencies`.
    pub staff: Vec<std::sync::Arc<myna_rp::staff::StaffLogin>>,
}

pub(super) fn at(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Starts the hub (J-LIS's port + 2) and the agencies.
pub async fn start(
    dir: &Path,
    network: &Path,
    jlis_port: u16,
    jlis_url: &str,
) -> Result<Linkage, Box<dyn std::error::Error>> {
    let hub_db = Db::open(&format!("sqlite://{}", dir.join("hub.db").display())).await?;
    let (hub, hub_state) = myna_linkage::hub::start(
        hub_db,
        &NodeIdentity::load_or_create(network, myna_linkage::hub::HUB_ID, &[])?,
        at(jlis_port + 2),
    )
    .await?;
    // The hub checks residents' login proofs (the portal's self-information) at J-LIS.
    let _ = hub_state.jlis.set(jlis_url.trim_end_matches('/').to_string());
    let mut agencies = Vec::new();
    let mut staff = Vec::new();
    for (id, name, offset) in AGENCIES {
        let db = format!("sqlite://{}", dir.join(format!("{}.db", id.replace(':', "-"))).display());
        let started =
            crate::cmd::node::start_agency(network, id, name, Some(db), at(jlis_port + offset), &hub.url(), jlis_url)
                .await?;
        staff.push(started.agency.staff.clone());
        agencies.push((id.to_string(), name.to_string(), started.node));
    }
    Ok(Linkage { hub, agencies, staff })
}

/// Enrols the sample residents at every agency and registers each agency's copies.
pub async fn seed(
    link: &Linkage,
    network: &Path,
    jlis: &JlisArgs,
    samples: &[NewResident],
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut people = 0;
    for (i, p) in samples.iter().take(3).enumerate() {
        let found = jlis
            .post("/v1/lookup", json!({"name": p.name.kanji, "birth": p.birth.to_string(), "sex": p.sex.map(|s| s.as_str()), "address": p.address.line(), "task": "resident_registry", "case": "demo enrolment"}))
            .await?;
        let Some(number) = found["matches"][0]["number"].as_str().filter(|_| found["outcome"] == "unique") else {
            continue;
        };
        let person = format!("resident{}", i + 1);
        for (id, _, node) in &link.agencies {
            let clerk = ClerkArgs::new(node.url(), crate::cmd::node::token_path(network, id), network.join("ca.pem"));
            clerk.call(reqwest::Method::POST, "/v1/people", json!({"person": person, "number": number})).await?;
            for (item, data) in copies(id, p, i) {
                clerk
                    .call(reqwest::Method::PUT, &format!("/v1/people/{person}/copies/{item}"), json!({"data": data}))
                    .await?;
            }
        }
        people += 1;
    }
    Ok(people)
}

/// What each demo agency holds about demo resident `i`.
fn copies(agency: &str, p: &NewResident, i: usize) -> Vec<(&'static str, Value)> {
    let income = 2_400_000 + 350_000 * i as u64;
    match agency {
        "municipality:131016" => vec![
            (
                "resident_record",
                json!({"household_head": p.name.kanji, "relationship": "世帯主",
                "members": [{"name": p.name.kanji, "relationship": "世帯主", "birth": p.birth.to_string()}]}),
            ),
            (
                "local_tax",
                json!({"fiscal_year": 2026, "taxable_income": income, "tax_amount": income / 10, "non_taxable": false}),
            ),
        ],
        "pension_service" => vec![(
            "pension_benefit",
            json!({"pension": "老齢基礎年金", "annual_amount": 816_000, "since": "2024-04-01"}),
        )],
        "health_insurer:01130012" => vec![(
            "medical_insurance",
            json!({"insurer_number": "01130012", "symbol": "1234", "number": format!("{}", 5600 + i), "valid_from": "2023-04-01"}),
        )],
        _ => Vec::new(),
    }
}
