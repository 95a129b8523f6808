//! The demo's wrong link (マイナンバー情報総点検, seed 001): 千代田区's record of one of its own
//! residents carries the number of a story resident who lives elsewhere, as a lookup by two
//! items that matched several people linked it before the 4-item rule. (J-LIS now refuses
//! such a link; the demo enrols it with that resident's own items, as the number alone once
//! was.) At first start 千代田区 inspects its records and the link waits in its clerks' queue;
//! until it is corrected, the story resident's わたしの情報 shows 千代田区's records of
//! someone else, and every such exchange is in their やりとり履歴.

use myna_link::inspection::{AgencyInspection, INSPECTION_BATCH_MAX, RecordToInspect};
use myna_linkage::agency::Agency;

use super::country::{Country, Resident};
use super::stories::{MISLINKED, MISLINKED_AT};

/// The record linked wrongly, and whose number it carries: (household, member) of the first part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mislink {
    pub record: (usize, usize),
    pub number_of: (usize, usize),
}

/// The agency that holds the wrong link.
pub fn agency() -> String {
    format!("municipality:{MISLINKED_AT}")
}

/// The wrong link of this country, if it has a resident to tell it with: the record is the
/// last adult of 千代田区 in no story's household.
pub fn pick(c: &Country) -> Option<Mislink> {
    let s = c.stories.iter().find(|s| s.what.ends_with(MISLINKED))?;
    let taken = |h: usize| c.stories.iter().any(|s| s.household == h);
    let record = c
        .households
        .iter()
        .enumerate()
        .filter(|(hi, _)| !taken(*hi))
        .flat_map(|(hi, (rs, h))| rs.iter().zip(&h.members).enumerate().map(move |(mi, rm)| (hi, mi, rm)))
        .filter(|(_, _, (r, m))| {
            r.number.is_some()
                && m.age >= 20
                && myna_population::livelihood::municipality_of(&m.person.lg_code) == MISLINKED_AT
        })
        .map(|(hi, mi, _)| (hi, mi))
        .next_back()?;
    Some(Mislink { record, number_of: (s.household, s.member) })
}

/// The resident at (household, member) of the first part.
pub fn resident(c: &Country, at: (usize, usize)) -> Option<&Resident> {
    c.households.get(at.0)?.0.get(at.1)
}

/// 千代田区 inspects its records of the first part at J-LIS (each with the number it links
/// and its own 4 items of the person); what J-LIS finds wrong waits for a clerk. Returns
/// (records checked, queued).
pub async fn inspect(c: &Country, at: &Agency, present: &dyn Fn(&str) -> bool) -> Result<(usize, usize), String> {
    let plan = c.plan(&c.households, true, &mut Default::default(), present);
    let mine = plan.get(&agency()).map(Vec::as_slice).unwrap_or_default();
    let records: Vec<RecordToInspect> = mine
        .iter()
        .filter_map(|e| {
            let own = resident(c, e.at)?;
            Some(RecordToInspect::new(&e.person, myna_jlis::link_items_of(&own.new, &e.items.number)))
        })
        .collect();
    let mut queued = 0;
    for chunk in records.chunks(INSPECTION_BATCH_MAX) {
        let req =
            AgencyInspection {
                task: "resident_registry".into(), case: "総点検-demo".into(), records: chunk.to_vec()
            };
        queued += at.inspect(&req).await.map_err(|e| e.reason())?.queued;
    }
    Ok((records.len(), queued))
}
