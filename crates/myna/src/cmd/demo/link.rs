//! The demo country's linkage network: the hub and every agency node of the country
//! (`country::agencies`): the municipalities, their prefectures and welfare offices, the
//! pension service and the health insurers.

use std::{collections::BTreeMap, net::SocketAddr, path::Path, sync::Arc};

use myna_linkage::agency::Agency;
use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;

/// Ports after J-LIS's: verifier + 1, hub + 2, the first four agencies + 3 to + 6, portal + 7
/// and + 8, health + 9 and + 10, the other agencies from + 11, the municipalities' benefit
/// systems from + 32.
pub const FIRST_MORE: u16 = 11;

/// The first benefit system's port, after J-LIS's.
pub const BENEFITS: u16 = 32;

/// 預金保険機構's port, after J-LIS's; the banks' follow it.
pub const DEPOSITS: u16 = BENEFITS + super::country::MUNICIPALITIES.len() as u16;

/// The banks of the demo (the population model's: ゆうちょ, みずほ, 三菱ＵＦＪ, 三井住友, りそな).
pub const BANKS: &[&str] = &["9900", "0001", "0005", "0009", "0010"];

/// A store's kiosk (コンビニ交付), after the banks.
pub const KIOSK: u16 = DEPOSITS + 1 + BANKS.len() as u16;

/// The qualification system (国家資格等情報連携・活用システム), after the kiosk.
pub const QUALIFICATIONS: u16 = KIOSK + 1;

/// How many consecutive ports the demo takes from J-LIS's (the tests reserve as many).
pub const PORTS: u16 = QUALIFICATIONS + 1;

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_takes_the_ports_it_says() {
        assert_eq!(super::FIRST_MORE as usize + super::super::country::agencies().len() - 4, super::BENEFITS as usize);
    }
}

pub struct Linkage {
    pub hub: RunningNode,
    pub agencies: Vec<(String, String, RunningNode)>,
    /// Each agency's staff sign-in, in the order of `agencies`.
    pub staff: Vec<std::sync::Arc<myna_rp::staff::StaffLogin>>,
    /// Each agency by id, for seeding the country in process.
    pub handles: BTreeMap<String, Arc<Agency>>,
    /// The account registry's own table (its node answers from it).
    pub registry: Option<Arc<myna_accounts::Registry>>,
    /// Each municipality's place for its benefit system, by id (its node's inbox hands it
    /// residents' replies).
    pub benefit_cells: Vec<(String, String, myna_benefits::routes::Cell)>,
    /// The banks' nodes, by bank code.
    pub banks: BTreeMap<String, (RunningNode, Arc<myna_deposits::bank::Bank>)>,
    /// Each municipality's moving desk, by id (its pages are on the benefit system's node).
    pub moving: BTreeMap<String, Arc<myna_moving::Moving>>,
}

impl Linkage {
    /// The URL of agency `id`'s node.
    pub fn url_of(&self, id: &str) -> Option<String> {
        self.agencies.iter().find(|a| a.0 == id).map(|a| a.2.url())
    }
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
    let mut handles = BTreeMap::new();
    let mut registry = None;
    let mut benefit_cells = Vec::new();
    let mut moving = BTreeMap::new();
    for (i, (id, name)) in super::country::agencies().into_iter().enumerate() {
        let offset = if i < 4 { 3 + i as u16 } else { FIRST_MORE + (i - 4) as u16 };
        let db = format!("sqlite://{}", dir.join(format!("{}.db", id.replace(':', "-"))).display());
        let listen = at(jlis_port + offset);
        let started = if id == myna_population::livelihood::Holder::AccountRegistry.agency_id() {
            let s =
                crate::cmd::node::start_account_registry(network, &id, &name, Some(db), listen, &hub.url(), jlis_url)
                    .await?;
            registry = Some(s.registry);
            s.agency
        } else if id.starts_with("municipality:") {
            let (s, cell, desk) =
                crate::cmd::node::start_municipality(network, &id, &name, Some(db), listen, (&hub.url(), jlis_url))
                    .await?;
            benefit_cells.push((id.clone(), name.clone(), cell));
            // The counter's reader holds the demo residents' cards (a new signing
            // certificate after the 転入).
            desk.set_reader(Arc::new(crate::cmd::card_reader::FolderCards { dir: dir.join("cards") }));
            moving.insert(id.clone(), desk);
            s
        } else {
            crate::cmd::node::start_agency(network, &id, &name, Some(db), listen, &hub.url(), jlis_url).await?
        };
        staff.push(started.agency.staff.clone());
        handles.insert(id.clone(), started.agency.clone());
        agencies.push((id, name, started.node));
    }
    // The banks, and 預金保険機構 (an agency of the network) that asks them.
    let mut banks = BTreeMap::new();
    for (i, code) in BANKS.iter().enumerate() {
        let db = Db::open(&format!("sqlite://{}", dir.join(format!("bank-{code}.db")).display())).await?;
        let id = NodeIdentity::load_or_create(network, &format!("bank:{code}"), &[])?;
        let started = myna_deposits::bank::start(db, code, &id, at(jlis_port + DEPOSITS + 1 + i as u16)).await?;
        banks.insert(code.to_string(), started);
    }
    let dic_id = "deposit_insurance";
    let db = Db::open(&format!("sqlite://{}", dir.join("deposit_insurance.db").display())).await?;
    let config = myna_linkage::agency::AgencyConfig {
        name: "預金保険機構".into(),
        hub_url: hub.url(),
        jlis_url: jlis_url.into(),
        login_service: None,
    };
    let participating = banks.iter().map(|(c, (n, _))| (c.clone(), n.url())).collect();
    let dic = myna_deposits::dic::start(
        db,
        &NodeIdentity::load_or_create(network, dic_id, &[])?,
        at(jlis_port + DEPOSITS),
        config,
        participating,
    )
    .await?;
    staff.push(dic.agency.agency.staff.clone());
    handles.insert(dic_id.to_string(), dic.agency.agency.clone());
    agencies.push((dic_id.to_string(), "預金保険機構".to_string(), dic.agency.node));
    // The qualification system, an agency of the network too.
    let name = "国家資格等情報連携・活用システム";
    let db = format!("sqlite://{}", dir.join("qualifications.db").display());
    let q = crate::cmd::node::start_qualifications(
        network,
        name,
        Some(db),
        at(jlis_port + QUALIFICATIONS),
        (&hub.url(), jlis_url),
    )
    .await?;
    staff.push(q.agency.agency.staff.clone());
    handles.insert(myna_qualifications::ID.to_string(), q.agency.agency.clone());
    agencies.push((myna_qualifications::ID.to_string(), name.to_string(), q.agency.node));
    Ok(Linkage { hub, agencies, staff, handles, registry, benefit_cells, banks, moving })
}
