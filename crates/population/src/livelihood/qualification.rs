//! National qualifications (国家資格) among the 32 of seed 001, at the rates of their holders
//! among people aged 22–74 (about 88 M): 医師 343 k and 歯科医師 105 k and 薬剤師 322 k
//! (厚生労働省「医師・歯科医師・薬剤師統計」2022), 看護師 1.31 M working (衛生行政報告例 2022),
//! 介護福祉士 1.94 M and 社会福祉士 0.29 M registered (社会福祉振興・試験センター 2024), 保育士
//! 1.73 M registered (こども家庭庁 2023), 税理士 81 k (日本税理士会連合会 2024). Nine in ten
//! 看護師 and 保育士 are women (the same sources).

use rand::Rng;
use time::{Date, Duration};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub name: &'static str,
    /// The administrator that registers it (資格管理者).
    pub administrator: &'static str,
    pub registered_on: Date,
}

/// (name, administrator, holders per 100,000 aged 22–74, share of women %).
const QUALIFICATIONS: [(&str, &str, u32, u32); 8] = [
    ("医師", "厚生労働省", 390, 23),
    ("歯科医師", "厚生労働省", 120, 25),
    ("薬剤師", "厚生労働省", 365, 62),
    ("看護師", "厚生労働省", 1_490, 92),
    ("介護福祉士", "厚生労働省", 2_200, 75),
    ("社会福祉士", "厚生労働省", 330, 65),
    ("保育士", "こども家庭庁", 1_970, 95),
    ("税理士", "日本税理士会連合会", 92, 15),
];

pub fn draw(rng: &mut impl Rng, age: u32, female: bool, birth: Date) -> Option<Qualification> {
    if !(22..=74).contains(&age) {
        return None;
    }
    let roll = rng.random_range(0..100_000);
    let mut acc = 0;
    for (name, administrator, per, women) in QUALIFICATIONS {
        // Split the rate by sex so the total stays `per` with `women` % of holders women.
        let share = if female { 2 * per * women / 100 } else { 2 * per * (100 - women) / 100 };
        acc += share;
        if roll < acc {
            let first = 22 + rng.random_range(0..=(age - 22).min(8));
            let registered_on = birth + Duration::days(i64::from(first) * 365 + rng.random_range(60..300));
            return Some(Qualification { name, administrator, registered_on });
        }
    }
    None
}
