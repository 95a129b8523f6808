//! The demo country's portal: Myna Portal with the demo card reader, a clerk account at each
//! municipality that offers procedures, an example private service registered for the
//! self-information API, and notices from the first demo resident's municipality (one now, one
//! scheduled for June).

use std::path::Path;

use serde_json::{Value, json};

use crate::cmd::link::ClerkArgs;

/// The demo clerks' password (each municipality's clerk `clerk1`).
pub const CLERK_PASSWORD: &str = "demo-clerk-2026";
/// 千代田区's clerk with a staff card (the second demo card).
pub const STAFF_CLERK: &str = "chiyoda.clerk2";
/// Where the example OAuth client (`examples/oauth-client`) listens.
pub const EXAMPLE_CLIENT: &str = "http://localhost:7460";

/// Where the example moving site (`examples/moving-site`) listens.
pub const MOVING_SITE: &str = "http://localhost:7461";

pub struct Portal {
    pub started: myna_portal::Started,
    /// The example client's id and secret.
    pub client: Value,
    /// The example moving site's.
    pub moving_client: Value,
}

/// Registers a private service with the portal (once: kept in `file`), as its operator does.
async fn registered(
    file: &Path,
    (network, public, operator): (&Path, &str, &str),
    reg: Value,
) -> Result<Value, Box<dyn std::error::Error>> {
    if let Ok(b) = std::fs::read(file) {
        return Ok(serde_json::from_slice(&b)?);
    }
    let http = crate::cmd::card::network_client(std::fs::read(network.join("ca.pem"))?.as_slice())?;
    let r = http.post(format!("{public}/oauth/clients")).bearer_auth(operator).json(&reg).send().await?;
    if !r.status().is_success() {
        return Err(format!("registering {}: {}", reg["name"], r.text().await?).into());
    }
    let v: Value = r.json().await?;
    crate::cmd::card_file::write_atomic(file, &serde_json::to_vec_pretty(&v)?)?;
    Ok(v)
}

/// Starts the portal (web on J-LIS's port + 7, its linkage node on + 8).
pub async fn start(
    dir: &Path,
    network: &Path,
    described: &crate::cmd::country::Node,
    jlis: &str,
    hub: &str,
) -> Result<Portal, Box<dyn std::error::Error>> {
    let crate::cmd::country::Role::Portal { node, public_url } = &described.role else {
        return Err("the demo's portal is not a portal".into());
    };
    let db = Some(described.db.clone());
    let cards = described.cards.clone();
    let listen = described.listen;
    let started = crate::cmd::node::start_portal(network, db, listen, *node, public_url, hub, jlis, cards).await?;
    let client_file = dir.join("example-client.json");
    // First start: the clerks (the example clients are registered once, below).
    if !client_file.exists() {
        for (code, _) in started.portal.catalogue.municipalities() {
            started.portal.add_clerk(code, "clerk1", CLERK_PASSWORD).await?;
        }
        // 千代田区's clerk signs in with a staff card: the second demo card's holder.
        let mut cards = super::existing_cards(dir);
        cards.retain(|c| c.to_string_lossy().ends_with(".card.json"));
        if let Some(card) = cards.get(1) {
            let staff = myna_rp::staff::Staff {
                account: STAFF_CLERK.into(),
                name: crate::cmd::staff::card_holder(card)?,
                role: "clerk:131016".into(),
            };
            started.portal.staff.add(&staff, crate::cmd::staff::card_serial(card)?, myna_node::now_secs()).await?;
        }
    }

    let at = (network, public_url.as_str(), started.operator_token.as_str());
    let reg = json!({
        "name": "すこやか家計アプリ (example)",
        "redirect_uris": [format!("{EXAMPLE_CLIENT}/callback")],
        "scopes": ["local_tax", "medical_insurance"],
        "purpose": "課税情報から世帯の家計簿を作成し、医療保険の資格を表示するため"
    });
    let client = registered(&client_file, at, reg).await?;
    let reg = json!({
        "name": "ひっこしナビ (example)",
        "redirect_uris": [format!("{MOVING_SITE}/callback")],
        "scopes": ["resident_record"],
        "purpose": "引越しの登録と、選んだ電気・ガス・水道の事業者へ新しい住所を知らせるため"
    });
    let moving_client = registered(&dir.join("moving-client.json"), at, reg).await?;
    Ok(Portal { started, client, moving_client })
}

/// Notices from the first demo resident's municipality (`id`, its node at `url`, `name`) to
/// them: one now, one for next June's status report.
pub async fn notices(network: &Path, (id, url, name): (&str, &str, &str)) -> Result<(), Box<dyn std::error::Error>> {
    let clerk = ClerkArgs::new(url.to_string(), crate::cmd::node::token_path(network, id), network.join("ca.pem"));
    let body = format!("{name}からのお知らせです。\n申請の状況は「申請状況」から確認できます。");
    clerk
        .call(
            reqwest::Method::POST,
            "/v1/notices",
            json!({"person": "resident1", "title": "マイナポータルのご利用ありがとうございます", "body": body}),
        )
        .await?;
    let today = crate::cmd::today();
    let june = time::Date::from_calendar_date(
        today.year() + i32::from(today.month() >= time::Month::June),
        time::Month::June,
        1,
    )?;
    let at = june.midnight().assume_offset(myna_node::JST).unix_timestamp();
    clerk
        .call(reqwest::Method::POST, "/v1/notices", json!({"person": "resident1", "title": "児童手当の現況届の提出のお願い", "body": "6月は児童手当の現況届の提出月です。ぴったりサービスから電子申請できます。", "deliver_at": at}))
        .await?;
    Ok(())
}
