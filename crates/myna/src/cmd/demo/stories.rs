//! The demo's story residents: picked from the first part of the country for what one can
//! try with each, in the order of their cards.

use myna_population::livelihood::{self, Household, benefits, cover::Scheme};
use myna_registry::Relationship;
use time::Date;

use super::country::{MUNICIPALITIES, Resident};

/// A resident picked for what the demo lets one try with them.
pub struct Story {
    /// Their reference at every agency that holds them (`resident1` …) and their card's file.
    pub person: String,
    pub household: usize,
    pub member: usize,
    pub what: String,
}

fn yen(n: u64) -> String {
    myna_text::yen(n)
}

/// The stories, in the order of their cards: a parent of a family with children (in the first
/// municipality that has one), someone on 国民健康保険, a pensioner over 75, someone in a
/// non-taxable household, someone with a national qualification.
pub(super) fn pick(hs: &[(Vec<Resident>, Household)], today: Date) -> Vec<Story> {
    let mut out: Vec<Story> = Vec::new();
    let taken = |out: &[Story], h: usize| out.iter().any(|s| s.household == h);
    let city = |m: &livelihood::Member| livelihood::municipality_of(&m.person.lg_code);
    let name_of =
        |m: &livelihood::Member| MUNICIPALITIES.iter().find(|x| x.0 == city(m)).map(|x| x.1).unwrap_or("?").to_string();
    let has_number = |h: usize, i: usize| hs[h].0.get(i).is_some_and(|r| r.number.is_some());
    let find = |out: &mut Vec<Story>, f: &dyn Fn(&Household, &livelihood::Member) -> Option<String>| {
        for (hi, (_, h)) in hs.iter().enumerate() {
            if taken(out, hi) {
                continue;
            }
            for (mi, m) in h.members.iter().enumerate() {
                if !has_number(hi, mi) {
                    continue;
                }
                if let Some(what) = f(h, m) {
                    let person = format!("resident{}", out.len() + 1);
                    out.push(Story { person, household: hi, member: mi, what });
                    return;
                }
            }
        }
    };
    // A parent of 40 or more (of an age for 特定健診, which the clinic's story shares) with two
    // children, else any parent.
    // In the first municipality that has such a family (千代田区, where the demo's clerk with a
    // staff card works), loosening the wish before moving on.
    for &(code, _) in MUNICIPALITIES {
        for (min_age, min_children) in [(40, 2), (40, 1), (0, 1)] {
            if out.is_empty() {
                find(&mut out, &|h, m| {
                    let a = m.child_allowance.as_ref()?;
                    // Insured with the same insurer for the five years of checkups the clinic's
                    // story shows.
                    let five_years = m.cover.since <= today - time::Duration::days(5 * 366);
                    let fits = city(m) == code
                        && five_years
                        && m.age >= min_age
                        && a.children.len() >= min_children
                        && h.assistance.is_none()
                        && !m.tax.non_taxable;
                    fits.then(|| {
                        let n = a.children.len();
                        format!(
                            "{}, parent of {n} {} in {}: 児童手当 {} a month, 住民税 所得割 {}",
                            m.age,
                            if n == 1 { "child" } else { "children" },
                            name_of(m),
                            yen(a.monthly_total),
                            yen(m.tax.income_levy)
                        )
                    })
                });
            }
        }
    }
    find(&mut out, &|_, m| {
        (m.cover.scheme == Scheme::National && (20..65).contains(&m.age) && !m.tax.non_taxable).then(|| {
            format!(
                "{} in {}, on 国民健康保険 ({}), 所得割 {}",
                m.age,
                name_of(m),
                m.cover.insurer.clone().unwrap_or_default(),
                yen(m.tax.income_levy)
            )
        })
    });
    find(&mut out, &|_, m| {
        let p = m.pensions.first()?;
        (m.cover.scheme == Scheme::LateStage)
            .then(|| format!("{} in {}, 後期高齢者医療, {} {} a year", m.age, name_of(m), p.name_ja(), yen(p.annual)))
    });
    // A non-taxable household with children whose parent registered a public-fund account: the
    // push benefit the demo runs at start reaches them (a notice with the account and a way to
    // decline); else any non-taxable household.
    // In the first municipality that has one (千代田区, whose benefits clerk has a staff card).
    let before = out.len();
    for &(code, _) in MUNICIPALITIES {
        if out.len() > before {
            break;
        }
        find(&mut out, &|h, m| {
            let kids = h.members.iter().any(|k| today <= benefits::until_march_after(k.person.birth, 18));
            let fits = city(m) == code && h.non_taxable() && kids && m.child_allowance.is_some() && m.account.is_some();
            fits.then(|| {
                format!(
                    "{} in {}, 住民税非課税世帯 with children: the 子育て世帯生活支援特別給付金 notice, paid into their public-fund account unless they decline",
                    m.age,
                    name_of(m)
                )
            })
        });
    }
    if out.len() == before {
        find(&mut out, &|h, m| {
            (h.non_taxable() && h.assistance.is_none() && m.age >= 18 && m.person.relationship == Relationship::Head)
                .then(|| {
                    let why = if m.child_rearing.is_some() {
                        "single parent with 児童扶養手当"
                    } else {
                        "住民税非課税世帯"
                    };
                    format!("{} in {}, {why} ({} in the household)", m.age, name_of(m), h.members.len())
                })
        });
    }
    let qualified = out.len();
    find(&mut out, &|_, m| {
        let q = m.qualification.as_ref()?;
        Some(format!(
            "{} in {}, {} (registered by {}; the qualification system is not built yet)",
            m.age,
            name_of(m),
            q.name,
            q.administrator
        ))
    });
    // Someone outside 千代田区 whose number 千代田区 took for one of its own residents' before
    // 2023 (a 2-item lookup that matched several people): `super::mislink`. Only after the
    // others, so their cards keep their places.
    if out.len() > qualified {
        find(&mut out, &|_, m| {
            (city(m) != MISLINKED_AT && m.age >= 20).then(|| format!("{} in {}: {MISLINKED}", m.age, name_of(m)))
        });
    }
    out
}

/// The municipality whose record carries the mislinked story's number.
pub const MISLINKED_AT: &str = "131016";
/// How the mislinked story is told (and found again).
pub const MISLINKED: &str =
    "千代田区 linked another resident's record to their number before 2023 (マイナンバー情報総点検)";
