//! The demo's cards: each story resident's, and the staff's (a resident's card bound to a named
//! account), issued through J-LIS as a municipality's counter would.

use std::path::PathBuf;

use myna_jlis::store::NewResident;
use myna_population::livelihood::Member;

use super::{DEMO_PASSWORD, country};
use crate::cmd::card_reader::DEMO_PIN;

/// Gives each story resident a card, kept as `<dir>/cards/resident<n>.card.json` (the order
/// the demo card reader lists them in).
pub(super) async fn issue_demo_cards(
    dir: &std::path::Path,
    jlis: &str,
    ca: &std::path::Path,
    stories: &[(&country::Story, &NewResident, &Member)],
) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let args = crate::cmd::card::JlisArgs::municipality(jlis.to_string(), ca.to_owned())?;
    let cards_dir = dir.join("cards");
    std::fs::create_dir_all(&cards_dir)?;
    let pin = myna_pki::Secret::new(myna_pki::CertKind::UserAuth, DEMO_PIN)?;
    let password = myna_pki::Secret::new(myna_pki::CertKind::Signing, DEMO_PASSWORD)?;
    let mut out = Vec::new();
    for (s, p, _) in stories {
        let file = cards_dir.join(format!("{}.card.json", s.person));
        if card_for(&args, p, &password, &pin, |_| file.clone()).await?.is_some() {
            out.push(file);
        }
    }
    Ok(out)
}

/// Issues resident `p` a card at the file `path(code)` names; `None` when the registry does
/// not find them uniquely.
async fn card_for(
    args: &crate::cmd::card::JlisArgs,
    p: &myna_jlis::store::NewResident,
    password: &myna_pki::Secret,
    pin: &myna_pki::Secret,
    path: impl Fn(&str) -> PathBuf,
) -> Result<Option<String>, Box<dyn std::error::Error>> {
    // The card counter is the resident's own municipality's.
    let own = args.as_municipality(p.address.lg_code())?;
    let found = own
        .post("/v1/lookup", serde_json::json!({"name": p.name.kanji, "birth": p.birth.to_string(), "sex": p.sex.map(|s| s.as_str()), "address": p.address.line(), "task": "individual_number_card", "case": "demo card"}))
        .await?;
    let Some(code) = found["matches"][0]["code"].as_str().filter(|_| found["outcome"] == "unique") else {
        return Ok(None);
    };
    let applied = own.post("/v1/cards/applications", serde_json::json!({"resident": code})).await?;
    let number = applied["card"].as_str().ok_or("no card number")?;
    crate::cmd::card::issue(&own, number, &path(code), password, pin, myna_pki::softcard::KdfParams::default()).await?;
    Ok(Some(code.to_string()))
}

/// The demo's staff: 大阪市's clerk at its agency node, and the demo clinic's receptionist,
/// each with a staff card (a sample resident's My Number Card, kept in `<dir>/staff/`) bound to
/// a named account.
pub(super) const STAFF_ACCOUNT: &str = "osaka.clerk1";
pub(super) const RECEPTIONIST: &str = "clinic.reception1";
/// J-LIS's hotline operator (個人番号カードコールセンター).
pub(super) const OPERATOR: &str = "hotline.op1";
/// 千代田区's clerk at its benefit system (and its agency node).
pub(super) const BENEFITS_CLERK: &str = "chiyoda.benefits1";

/// Issues `person` a card at `<dir>/staff/<file>` and gives it to the account `account` with
/// `role` in `directory`.
pub(super) async fn staff_member(
    (dir, jlis, ca): (&std::path::Path, &str, &std::path::Path),
    person: &myna_jlis::store::NewResident,
    file: &str,
    (account, role): (&str, &str),
    directory: &myna_rp::staff::StaffDirectory,
) -> Result<Option<PathBuf>, Box<dyn std::error::Error>> {
    let args = crate::cmd::card::JlisArgs::municipality(jlis.to_string(), ca.to_owned())?;
    std::fs::create_dir_all(dir.join("staff"))?;
    let path = dir.join("staff").join(file);
    let pin = myna_pki::Secret::new(myna_pki::CertKind::UserAuth, DEMO_PIN)?;
    let password = myna_pki::Secret::new(myna_pki::CertKind::Signing, DEMO_PASSWORD)?;
    if card_for(&args, person, &password, &pin, |_| path.clone()).await?.is_none() {
        return Ok(None);
    }
    let staff = myna_rp::staff::Staff { account: account.into(), name: person.name.kanji.clone(), role: role.into() };
    directory.add(&staff, crate::cmd::staff::card_serial(&path)?, myna_node::now_secs()).await?;
    Ok(Some(path))
}

pub(super) fn existing_cards(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("cards"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}
