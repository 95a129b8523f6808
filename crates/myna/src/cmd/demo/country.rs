//! The demo country: six real municipalities in three prefectures (two designated cities, a
//! special ward, a city, a town and a village), every agency that holds something of their
//! residents, and what each holds, computed from one population (`myna_population::livelihood`).
//! A handful of residents are picked for their stories and get cards.

use std::{collections::BTreeMap, sync::Arc};

use myna_jlis::store::NewResident;
use myna_linkage::agency::Agency;
use myna_population::{
    Generator,
    livelihood::{self, Holder, Household, Person, insurer},
};
use serde_json::Value;
use time::Date;

/// The demo's municipalities: (code, name). The first is the one the e2e test's notices come
/// from; 大阪市 second, as the demo's clerk at an agency node works there.
pub const MUNICIPALITIES: &[(&str, &str)] = &[
    ("131016", "千代田区"),
    ("271004", "大阪市"),
    ("132012", "八王子市"),
    ("273830", "千早赤阪村"),
    ("011002", "札幌市"),
    ("013951", "ニセコ町"),
];

const PREFECTURES: &[(&str, &str)] = &[("13", "東京都"), ("27", "大阪府"), ("01", "北海道")];

pub fn codes() -> Vec<&'static str> {
    MUNICIPALITIES.iter().map(|m| m.0).collect()
}

/// Every agency of the demo, (id, name), in the order of their ports: the first four keep the
/// ports they had before the country grew (J-LIS's + 3 to + 6).
pub fn agencies() -> Vec<(String, String)> {
    let g = myna_text::address::Gazetteer::embedded();
    let mut v: Vec<(String, String)> = vec![
        ("municipality:131016".into(), "千代田区".into()),
        ("municipality:271004".into(), "大阪市".into()),
        ("pension_service".into(), "日本年金機構".into()),
        (format!("health_insurer:{}", insurer::kyokai_branch("13")), "全国健康保険協会 東京支部".into()),
    ];
    for &(code, name) in &MUNICIPALITIES[2..] {
        v.push((format!("municipality:{code}"), name.into()));
    }
    for &(pref2, name) in PREFECTURES {
        v.push((Holder::Prefecture(insurer::prefecture_code(&format!("{pref2}0000"))).agency_id(), name.into()));
    }
    for &(code, name) in MUNICIPALITIES {
        // Cities and wards run their own welfare office; a town's or village's is the prefecture's.
        let small = g.by_code(code).is_some_and(|m| !m.county.is_empty());
        if !small {
            v.push((format!("welfare_office:{code}"), format!("{name} 福祉事務所")));
        }
    }
    for &(pref2, name) in PREFECTURES {
        let has_small = MUNICIPALITIES
            .iter()
            .any(|m| m.0.starts_with(pref2) && g.by_code(m.0).is_some_and(|x| !x.county.is_empty()));
        if has_small {
            let code = insurer::prefecture_code(&format!("{pref2}0000"));
            v.push((format!("welfare_office:{code}"), format!("{name} 福祉事務所（町村部）")));
        }
    }
    for &(pref2, name) in PREFECTURES {
        if pref2 != "13" {
            let short = name.trim_end_matches(['都', '府', '県']);
            let short = if short == "北海道" { "北海道" } else { short };
            v.push((
                format!("health_insurer:{}", insurer::kyokai_branch(pref2)),
                format!("全国健康保険協会 {short}支部"),
            ));
        }
    }
    v.push((format!("health_insurer:{}", insurer::KUMIAI), "デモ電機健康保険組合".into()));
    v.push((format!("health_insurer:{}", insurer::KYOSAI), "デモ職員共済組合".into()));
    for &(pref2, name) in PREFECTURES {
        v.push((
            format!("health_insurer:{}", insurer::late_stage_union(pref2)),
            format!("{name}後期高齢者医療広域連合"),
        ));
    }
    v.push((Holder::AccountRegistry.agency_id(), "デジタル庁 公金受取口座登録システム".into()));
    v
}

/// A registered resident with their number and what the agencies hold.
pub struct Resident {
    pub new: NewResident,
    pub number: Option<String>,
}

pub use super::stories::Story;

/// Households with what the agencies record, and their residents' numbers.
pub type Part = Vec<(Vec<Resident>, Household)>;

/// The demo's population as `myna demo` loaded it: regenerated from the seed and the day,
/// with the numbers the registry gave (kept beside the registry in load order).
pub struct Population {
    pub seed: u64,
    pub today: Date,
    pub numbers: Vec<u64>,
}

/// Residents a part holds (about): what is in memory at once while a country is seeded.
pub const PART: usize = 20_000;

impl Population {
    /// The households in parts of about [`PART`] residents, each with its records computed.
    pub fn parts(&self) -> Result<impl Iterator<Item = Part> + '_, Box<dyn std::error::Error>> {
        let mut g = Generator::within(self.seed, self.today, &codes()).ok_or("no demo municipality has towns")?;
        let mut done = 0usize;
        Ok(std::iter::from_fn(move || {
            let n = self.numbers.len();
            if done >= n {
                return None;
            }
            let mut part = Part::new();
            let mut size = 0;
            while size < PART && done < n {
                let mut members = g.next_household();
                if members.is_empty() {
                    return None;
                }
                members.truncate(n - done);
                let key = members[0].household_offset;
                let h = livelihood::household(self.seed, key, self.today, members.iter().map(Person::from).collect());
                let rs = members
                    .into_iter()
                    .enumerate()
                    .map(|(i, new)| Resident { new, number: self.numbers.get(done + i).map(|v| format!("{v:012}")) })
                    .collect::<Vec<_>>();
                done += rs.len();
                size += rs.len();
                part.push((rs, h));
            }
            Some(part)
        }))
    }
}

/// The first part of the country, with the story residents picked from it.
pub struct Country {
    pub households: Part,
    pub stories: Vec<Story>,
    /// The record 千代田区 linked to a story resident's number before 2023, if any.
    pub mislink: Option<super::mislink::Mislink>,
}

impl Country {
    pub fn first(pop: &Population) -> Result<Self, Box<dyn std::error::Error>> {
        let households = pop.parts()?.next().unwrap_or_default();
        let stories = super::stories::pick(&households, pop.today);
        let mut c = Self { households, stories, mislink: None };
        c.mislink = super::mislink::pick(&c);
        Ok(c)
    }

    /// The story of the resident at `(household, member)` of the first part, if any.
    pub fn story_of(&self, household: usize, member: usize) -> Option<&Story> {
        self.stories.iter().find(|s| s.household == household && s.member == member)
    }

    /// What the agencies hold of a story resident, as わたしの情報 will show it: each holder's
    /// name with the items it holds.
    pub fn held_of(&self, s: &Story) -> Vec<(String, Vec<&'static str>)> {
        let names: BTreeMap<String, String> = agencies().into_iter().collect();
        let Some((_, h)) = self.households.get(s.household) else { return Vec::new() };
        let mut held: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
        for c in livelihood::copies(h).into_iter().filter(|c| c.member == s.member) {
            let name = names.get(&c.holder.agency_id()).cloned().unwrap_or_else(|| c.holder.agency_id());
            let item = c.item.parse::<myna_link::InfoItem>().map(|i| i.name_ja()).unwrap_or(c.item);
            held.entry(name).or_default().push(item);
        }
        held.into_iter().collect()
    }

    pub fn story_resident(&self, s: &Story) -> Option<(&Resident, &livelihood::Member)> {
        let (rs, h) = self.households.get(s.household)?;
        Some((rs.get(s.member)?, h.members.get(s.member)?))
    }

    /// Who each agency enrols from `part`, in a fixed order: its reference for them (the story
    /// residents' `resident<n>` everywhere, else the agency's own 10-digit number, counted on
    /// in `seq` across parts), their number, where they are in the part, and the copies.
    pub fn plan(
        &self,
        part: &Part,
        first: bool,
        seq: &mut BTreeMap<String, u64>,
        present: &dyn Fn(&str) -> bool,
    ) -> BTreeMap<String, Vec<Enrol>> {
        let mut plan: BTreeMap<String, Vec<Enrol>> = BTreeMap::new();
        for (hi, (rs, h)) in part.iter().enumerate() {
            let mut per: BTreeMap<(String, usize), Vec<(&'static str, Value)>> = BTreeMap::new();
            for c in livelihood::copies(h) {
                per.entry((c.holder.agency_id(), c.member)).or_default().push((c.item, c.data));
            }
            for ((agency, member), copies) in per {
                let Some(number) = rs.get(member).and_then(|r| r.number.clone()) else { continue };
                if !present(&agency) {
                    continue;
                }
                let n = seq.entry(agency.clone()).or_default();
                *n += 1;
                let person = match self.story_of(hi, member).filter(|_| first) {
                    Some(s) => s.person.clone(),
                    None => format!("{:010}", *n),
                };
                let Some(r) = rs.get(member) else { continue };
                let (kana, mut items) = (r.new.name.kana.clone(), myna_jlis::link_items_of(&r.new, &number));
                // The demo's wrong link: linked, long ago, as its number's resident.
                if let Some(m) =
                    self.mislink.filter(|m| first && m.record == (hi, member) && agency == super::mislink::agency())
                    && let Some(other) = super::mislink::resident(self, m.number_of)
                    && let Some(n) = &other.number
                {
                    items = myna_jlis::link_items_of(&other.new, n);
                }
                plan.entry(agency).or_default().push(Enrol { person, items, kana, at: (hi, member), copies });
            }
        }
        plan
    }

    /// Enrols every resident at each agency that holds something of them (codes through J-LIS
    /// and the hub, a thousand a request) and registers what it holds (a thousand people's
    /// copies a transaction), a part at a time, with `progress` told the residents done.
    /// Idempotent: an enrolled person keeps their code and a copy is replaced, so a run cut
    /// short is finished by running it again. Returns (enrolments, copies).
    pub async fn seed(
        &self,
        pop: &Population,
        agencies: &BTreeMap<String, Arc<Agency>>,
        registry: Option<Arc<myna_accounts::Registry>>,
        banks: &BTreeMap<String, Arc<myna_deposits::bank::Bank>>,
        progress: &dyn Fn(u64),
    ) -> Result<(usize, usize), Box<dyn std::error::Error>> {
        let mut seq = BTreeMap::new();
        let (mut enrolled, mut copies, mut residents) = (0, 0, 0u64);
        for (i, part) in pop.parts()?.enumerate() {
            let plan = self.plan(&part, i == 0, &mut seq, &|a| agencies.contains_key(a));
            let mut tasks = tokio::task::JoinSet::new();
            for (id, people) in plan {
                let Some(agency) = agencies.get(&id).cloned() else { continue };
                // The account registry keeps accounts in its own table, each registration checked.
                let registry = registry.clone().filter(|_| id == Holder::AccountRegistry.agency_id());
                tasks.spawn(async move { seed_agency(&agency, people, registry).await });
            }
            while let Some(r) = tasks.join_next().await {
                let (e, c) = r??;
                enrolled += e;
                copies += c;
            }
            // Each bank holds the accounts of its customers (not yet linked to their numbers).
            let mut customers: BTreeMap<&str, Vec<myna_deposits::bank::Customer>> = BTreeMap::new();
            for (_, h) in &part {
                for m in &h.members {
                    let Some(a) = &m.account else { continue };
                    customers.entry(a.bank).or_default().push(myna_deposits::bank::Customer {
                        branch: a.branch.to_string(),
                        kind: a.kind.digit().to_string(),
                        account: a.number.clone(),
                        kana: m.person.kana.clone(),
                        birth: m.person.birth.to_string(),
                    });
                }
            }
            for (code, list) in customers {
                if let Some(b) = banks.get(code) {
                    b.add(&list).await?;
                }
            }
            residents += part.iter().map(|(rs, _)| rs.len() as u64).sum::<u64>();
            progress(residents);
        }
        Ok((enrolled, copies))
    }

    /// A query `requester` (a municipality) may make about one of its residents and that another
    /// agency answers with data: (the requester's reference, task, item, provider).
    pub fn example_query(
        &self,
        requester: &str,
        present: &dyn Fn(&str) -> bool,
    ) -> Option<(String, String, String, String)> {
        let table = myna_link::PermissionTable::shipped().ok()?;
        let plan = self.plan(&self.households, true, &mut BTreeMap::new(), present);
        let mine = plan.get(requester)?;
        let prefer = ["medical_insurance", "disability", "public_assistance", "pension_benefit"];
        for item in prefer {
            for e in mine {
                for (provider, theirs) in &plan {
                    if provider == requester || provider.starts_with("municipality:") {
                        continue;
                    }
                    let Some(held) = theirs.iter().find(|t| t.at == e.at) else { continue };
                    if !held.copies.iter().any(|c| c.0 == item) {
                        continue;
                    }
                    let kind = provider.split(':').next().unwrap_or_default();
                    let Some(row) = table.rows().iter().find(|r| {
                        r.requester == myna_link::AgencyKind::Municipality
                            && r.provider.id() == kind
                            && r.item.id() == item
                    }) else {
                        continue;
                    };
                    return Some((e.person.clone(), row.task.as_str().to_string(), item.to_string(), provider.clone()));
                }
            }
        }
        None
    }
}

/// One agency's share of a part: enrolled a thousand at a time, then their copies.
async fn seed_agency(
    agency: &Agency,
    people: Vec<Enrol>,
    registry: Option<Arc<myna_accounts::Registry>>,
) -> Result<(usize, usize), String> {
    let (mut enrolled, mut copies) = (0, 0);
    let mut people = people.into_iter().peekable();
    while people.peek().is_some() {
        let chunk: Vec<Enrol> = people.by_ref().take(myna_link::CODE_BATCH_MAX).collect();
        let pairs: Vec<(String, myna_link::LinkItems)> =
            chunk.iter().map(|e| (e.person.clone(), e.items.clone())).collect();
        let codes = agency.enrol_batch(&pairs).await.map_err(|e| e.to_string())?;
        let mut batch = Vec::new();
        // For the account registry: (code, bank, branch, number, holder, reading).
        let mut accounts: Vec<[String; 6]> = Vec::new();
        for (e, code) in chunk.into_iter().zip(&codes) {
            let code = match code {
                Ok(code) => code,
                Err(why) => {
                    tracing::warn!(person = %e.person, agency = %agency.id, "not linked: {why}");
                    continue;
                }
            };
            enrolled += 1;
            for (item, data) in e.copies {
                if registry.is_some() {
                    let f = |k: &str| data[k].as_str().unwrap_or_default().to_string();
                    accounts.push([code.clone(), f("bank"), f("branch"), f("number"), f("holder"), e.kana.clone()]);
                } else {
                    batch.push((e.person.clone(), item.to_string(), data));
                }
            }
        }
        if let Some(r) = &registry {
            let entries: Vec<(&str, myna_accounts::Request<'_>, &str)> = accounts
                .iter()
                .map(|[c, b, br, n, h, k]| {
                    (
                        c.as_str(),
                        (b.as_str(), br.as_str(), myna_zengin::AccountKind::Ordinary, n.as_str(), h.as_str()),
                        k.as_str(),
                    )
                })
                .collect();
            let answers = r
                .register_many(&entries, &myna_accounts::Channel::Portal, myna_node::now_secs())
                .await
                .map_err(|e| e.to_string())?;
            copies += answers.iter().filter(|a| a.is_ok()).count();
        }
        copies += agency.put_copies(&batch).await.map_err(|e| e.to_string())?;
    }
    Ok((enrolled, copies))
}

/// One person an agency enrols, with what it registers for them.
pub struct Enrol {
    pub person: String,
    /// Their number with the 4 items the agency holds (the register's, in the demo).
    pub items: myna_link::LinkItems,
    /// The registry's reading of their name (what an account holder's name is checked against).
    pub kana: String,
    /// (household, member) in the part.
    pub at: (usize, usize),
    pub copies: Vec<(&'static str, Value)>,
}
