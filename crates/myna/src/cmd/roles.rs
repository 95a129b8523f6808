//! How the organizations beside the linkage network start: a bank's system, 預金保険機構, a
//! municipality's benefit system, a store's kiosk. The same functions serve `myna node` (a
//! process per organization, as `myna country up` runs them) and `myna demo` (every node in
//! one process), so the two cannot start a node differently.

use std::{net::SocketAddr, path::Path, sync::Arc};

use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;
use myna_zengin::{AccountKind, Requester};

use super::{card_reader::FolderCards, country::DEPOSIT_INSURANCE};

type Error = Box<dyn std::error::Error>;

/// A bank's system (`bank:<code>`'s certificate): it links its customers' accounts to their
/// numbers and answers 預金保険機構's whereabouts requests.
pub async fn start_bank(
    network: &Path,
    code: &str,
    db: &str,
    listen: SocketAddr,
) -> Result<(RunningNode, Arc<myna_deposits::bank::Bank>), Error> {
    let identity = NodeIdentity::load_or_create(network, &format!("bank:{code}"), &[])?;
    Ok(myna_deposits::bank::start(Db::open(db).await?, code, &identity, listen).await?)
}

/// 預金保険機構 (an agency of the network) with the banks it asks, (code, URL) each.
pub async fn start_deposit_insurance(
    network: &Path,
    name: &str,
    db: &str,
    listen: SocketAddr,
    (hub, jlis): (&str, &str),
    banks: Vec<(String, String)>,
) -> Result<myna_deposits::dic::Started, Error> {
    let config = myna_linkage::agency::AgencyConfig {
        name: name.into(),
        hub_url: hub.into(),
        jlis_url: jlis.into(),
        login_service: None,
    };
    let identity = NodeIdentity::load_or_create(network, DEPOSIT_INSURANCE, &[])?;
    let started = myna_deposits::dic::start(Db::open(db).await?, &identity, listen, config, banks).await?;
    myna_node::write_private(&super::node::token_path(network, DEPOSIT_INSURANCE), &started.agency.clerk_token)?;
    Ok(started)
}

/// The paying account of a municipality (its 指定金融機関's, made up): 依頼人コード is its
/// local government code and 0001, the name its reading.
fn payer(lg: &str) -> Requester {
    let kana = myna_text::address::Gazetteer::embedded().by_code(lg).map(|m| m.kana.clone()).unwrap_or_default();
    Requester {
        code: format!("{lg}0001").chars().take(10).collect(),
        name: if kana.is_empty() { "シ".into() } else { kana },
        bank: ("0001".into(), String::new()),
        branch: ("001".into(), String::new()),
        kind: AccountKind::Current,
        number: format!("{:0>7}", &lg[..lg.len().min(6)]),
    }
}

/// A municipality's benefit system (給付システム) beside its agency node, in the same process
/// and on the same database (its own tables): it uses the agency's queries and notices, takes
/// residents' replies from the agency's inbox (`cell`) and has the moving desk's arrivals
/// page. Its clerks sign in with staff cards (`staff_cards`, the demo's folder of them).
pub async fn start_benefits(
    network: &Path,
    municipality: &super::node::Municipality,
    db: &str,
    listen: SocketAddr,
    portal: &str,
    staff_cards: Option<&Path>,
) -> Result<myna_benefits::Started, Error> {
    let id = &municipality.id;
    let lg = id.trim_start_matches("municipality:");
    let identity = NodeIdentity::load_or_create(network, &super::country::benefits_identity(id), &[])?;
    let cards = staff_cards
        .map(|dir| Arc::new(FolderCards { dir: dir.to_path_buf() }) as Arc<dyn myna_pki::reader::CardReader>);
    Ok(myna_benefits::start(
        Db::open(db).await?,
        municipality.started.agency.clone(),
        &identity,
        listen,
        (payer(lg), portal),
        (municipality.cell.clone(), Some(municipality.desk.clone())),
        cards,
    )
    .await?)
}

/// A store's kiosk (コンビニ交付), `id` its certificate's name, with the card reader of a
/// folder of card files (the demo's; a PC/SC reader is not wired to the kiosk yet).
pub async fn start_kiosk(
    network: &Path,
    id: &str,
    listen: SocketAddr,
    jlis: &str,
    cards: &Path,
) -> Result<RunningNode, Error> {
    let identity = NodeIdentity::load_or_create(network, id, &[])?;
    let reader = Arc::new(FolderCards { dir: cards.to_path_buf() });
    Ok(myna_kiosk::start(&identity, id, listen, jlis, reader).await?)
}
