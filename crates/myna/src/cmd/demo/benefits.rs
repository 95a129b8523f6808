//! The municipalities' benefit systems (給付システム), one beside each municipality's agency
//! node: at the first start each defines and runs a push benefit for non-taxable households
//! with children (seed 000's 子育て世帯生活支援特別給付金, ¥50,000 a child), so its residents find
//! the notice in Myna Portal with the account it will be paid into and a way to decline.

use myna_benefits::rule::{Amount, Condition, Definition};

use super::link::Linkage;

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

/// Runs the sample benefit in every municipality: (name, eligible, told with an account) each.
pub async fn run_sample(link: &Linkage) -> Result<Vec<(String, usize, usize)>, Box<dyn std::error::Error>> {
    let mut ran = Vec::new();
    for (_, name, s) in &link.benefits {
        let b = &s.benefits;
        let row = b.define(&sample(), "system", myna_benefits::today_jst()).await?;
        let d = b.determine(&row.id).await?;
        let n = b.notify(&row.id).await?;
        ran.push((name.clone(), d.eligible, n.with_account));
    }
    Ok(ran)
}
