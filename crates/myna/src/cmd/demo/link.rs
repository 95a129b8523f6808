//! The demo country's linkage network: the hub and every agency node of the country
//! (`country::agencies`): the municipalities, their prefectures and welfare offices, the
//! pension service and the health insurers.

use std::{collections::BTreeMap, path::Path, sync::Arc};

use myna_linkage::agency::Agency;
use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;

use crate::cmd::{
    country::{Country, DEPOSIT_INSURANCE, Role},
    node, roles,
};

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
    /// Each municipality's benefit system: (id, name, the system).
    pub benefits: Vec<(String, String, myna_benefits::Started)>,
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

/// Starts the hub, the banks and the agencies of the demo's description (the municipalities'
/// benefit systems beside them), through the same functions as `myna node`.
pub async fn start(country: &Country, network: &Path, jlis_url: &str) -> Result<Linkage, Box<dyn std::error::Error>> {
    let hub_node = country.nodes.iter().find(|n| n.role == Role::Hub).ok_or("the demo has no hub")?;
    let (hub, hub_state) = myna_linkage::hub::start(
        Db::open(&hub_node.db).await?,
        &NodeIdentity::load_or_create(network, myna_linkage::hub::HUB_ID, &[])?,
        hub_node.listen,
    )
    .await?;
    // The hub checks residents' login proofs (the portal's self-information) at J-LIS.
    let _ = hub_state.jlis.set(jlis_url.trim_end_matches('/').to_string());
    let hub_url = hub.url();
    let at = (hub_url.as_str(), jlis_url);
    let portal = country.portal_url().unwrap_or_default();
    let mut l = Linkage {
        hub,
        agencies: Vec::new(),
        staff: Vec::new(),
        handles: BTreeMap::new(),
        registry: None,
        benefits: Vec::new(),
        banks: BTreeMap::new(),
        moving: BTreeMap::new(),
    };
    // The banks first: 預金保険機構 asks them.
    for n in &country.nodes {
        if let Role::Bank { code } = &n.role {
            l.banks.insert(code.clone(), roles::start_bank(network, code, &n.db, n.listen).await?);
        }
    }
    let banks = l.banks.iter().map(|(c, (n, _))| (c.clone(), n.url())).collect::<Vec<_>>();
    for n in &country.nodes {
        let Role::Agency { id, display: name, benefits } = &n.role else { continue };
        let db = Some(n.db.clone());
        let started = if id == &myna_population::livelihood::Holder::AccountRegistry.agency_id() {
            let s = node::start_account_registry(network, id, name, db, n.listen, at.0, at.1).await?;
            l.registry = Some(s.registry);
            s.agency
        } else if id.starts_with("municipality:") {
            let m = node::start_municipality(network, id, name, db, n.listen, at).await?;
            // The counter's reader holds the demo residents' cards (a new signing
            // certificate after the 転入).
            if let Some(c) = &n.cards {
                m.desk.set_reader(Arc::new(crate::cmd::card_reader::FolderCards { dir: c.clone() }));
            }
            if let Some(b) = benefits {
                let staff = n.cards.as_ref().map(|c| c.with_file_name("staff"));
                let s = roles::start_benefits(network, &m, &n.db, *b, &portal, staff.as_deref()).await?;
                l.benefits.push((id.clone(), name.clone(), s));
            }
            l.moving.insert(id.clone(), m.desk);
            m.started
        } else if id == DEPOSIT_INSURANCE {
            roles::start_deposit_insurance(network, name, &n.db, n.listen, at, banks.clone()).await?.agency
        } else if id == myna_qualifications::ID {
            node::start_qualifications(network, name, db, n.listen, at).await?.agency
        } else {
            node::start_agency(network, id, name, db, n.listen, at.0, at.1).await?
        };
        l.staff.push(started.agency.staff.clone());
        l.handles.insert(id.clone(), started.agency.clone());
        l.agencies.push((id.clone(), name.clone(), started.node));
    }
    Ok(l)
}
