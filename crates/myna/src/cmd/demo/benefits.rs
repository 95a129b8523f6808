//! The municipalities' benefit systems (給付システム), one beside each municipality's agency
//! node; at the first start each defines and runs a push benefit for non-taxable households
//! with children (seed 000's 子育て世帯生活支援特別給付金, ¥50,000 a child), so its residents find
//! the notice in Myna Portal with the account it will be paid into and a way to decline.

use std::{path::Path, sync::Arc};

use myna_benefits::rule::{Amount, Condition, Definition};
use myna_node::NodeIdentity;
use myna_store::Db;
use myna_zengin::{AccountKind, Requester};

use super::link::{BENEFITS, Linkage, at};

pub struct Started {
    /// (municipality id, name, the benefit system).
    pub systems: Vec<(String, String, myna_benefits::Started)>,
    /// What the first start's benefit did in each: (name, eligible, told with an account).
    pub ran: Vec<(String, usize, usize)>,
}

/// The paying account of a municipality (its 指定金融機関's, made up for the demo): 依頼人コード
/// is its local government code and 0001, the name its reading.
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

/// The first start's benefit: decline within two weeks, paid a week after.
fn sample() -> Definition {
    let today = myna_benefits::today_jst();
    Definition {
        name: "子育て世帯生活支援特別給付金".into(),
        amount: Amount::Child { yen: 50_000 },
        rule: vec![Condition::NonTaxableHousehold, Condition::ChildrenUnder { age: 18 }],
        basis: today,
        decline_by: today + time::Duration::days(14),
        pay_on: today + time::Duration::days(21),
    }
}

pub async fn start(
    (dir, network, port): (&Path, &Path, u16),
    link: &Linkage,
    portal: &str,
    fresh: bool,
) -> Result<Started, Box<dyn std::error::Error>> {
    let mut systems = Vec::new();
    let mut ran = Vec::new();
    let staff_cards: Arc<dyn myna_pki::reader::CardReader> =
        Arc::new(crate::cmd::card_reader::FolderCards { dir: dir.join("staff") });
    for (i, (id, name, cell)) in link.benefit_cells.iter().enumerate() {
        let Some(agency) = link.handles.get(id).cloned() else { continue };
        let lg = id.trim_start_matches("municipality:");
        let db = Db::open(&format!("sqlite://{}", dir.join(format!("benefits-{lg}.db")).display())).await?;
        let identity = NodeIdentity::load_or_create(network, &format!("benefits-{lg}"), &[])?;
        let s = myna_benefits::start(
            db,
            agency,
            &identity,
            at(port + BENEFITS + i as u16),
            (payer(lg), portal),
            (cell.clone(), link.moving.get(id).cloned()),
            Some(staff_cards.clone()),
        )
        .await?;
        if fresh {
            let b = &s.benefits;
            let row = b.define(&sample(), "system", myna_benefits::today_jst()).await?;
            let d = b.determine(&row.id).await?;
            let n = b.notify(&row.id).await?;
            ran.push((name.clone(), d.eligible, n.with_account));
        }
        systems.push((id.clone(), name.clone(), s));
    }
    Ok(Started { systems, ran })
}
