//! Allowances for children, disability certificates and public assistance.
//!
//! - 児童手当 under the rules from October 2024 (REFERENCE §13): no income cap; a month ¥15,000
//!   under 3, ¥10,000 from 3 to the March 31 after the 18th birthday, ¥30,000 for the third and
//!   later child, children counted by birth order up to the March 31 after their 22nd birthday;
//!   paid to the parent who earns more, in even months.
//! - 児童扶養手当 (令和7年度 amounts, income lines as revised in November 2024): the whole
//!   ¥46,690 a month for one child up to 所得 ¥690,000 (+¥380,000 a further child), in part down
//!   to ¥11,010 up to ¥2,080,000; ¥11,030 (in part down to ¥5,520) for each further child.
//! - 特別児童扶養手当 (令和7年度): ¥56,800 (1級) or ¥37,830 (2級) a month for a child under 20
//!   with a disability, paid to the parent.
//! - Disability certificates from the holders in 厚生労働省「生活のしづらさなどに関する調査」
//!   (令和4年): 身体障害者手帳 4.16 M, 療育手帳 1.14 M, 精神障害者保健福祉手帳 1.20 M, spread
//!   by age as the survey reports (seven in ten 身体 holders are 65 or over).
//! - 生活保護: 2.02 M people in 1.65 M households (被保護者調査, 2023), over half of them elderly
//!   people living alone.

use rand::Rng;
use time::{Date, Month};

/// The last day `birth` counts for `years` (the March 31 after the day the person reaches that
/// age).
pub fn until_march_after(birth: Date, years: i32) -> Date {
    let reached = crate::livelihood::pension::reaches(birth, years);
    let y = if (reached.month() as u8) <= 3 { reached.year() } else { reached.year() + 1 };
    Date::from_calendar_date(y, Month::March, 31).unwrap_or(reached)
}

/// One child's line in the 児童手当.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowanceChild {
    pub birth: Date,
    /// 第何子 among the children counted.
    pub order: u8,
    pub monthly: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildAllowance {
    pub children: Vec<AllowanceChild>,
    pub monthly_total: u64,
    /// 認定日: when the first child now paid for was born (the model has no earlier claim).
    pub since: Date,
}

/// The 児童手当 for a parent whose children (in the household) were born on `births`.
pub fn child_allowance(births: &[Date], today: Date) -> Option<ChildAllowance> {
    let mut counted: Vec<Date> = births.iter().copied().filter(|&b| today <= until_march_after(b, 22)).collect();
    counted.sort();
    let mut children = Vec::new();
    for (i, &b) in counted.iter().enumerate() {
        if today > until_march_after(b, 18) {
            continue;
        }
        let order = (i + 1) as u8;
        let under3 = today < crate::livelihood::pension::reaches(b, 3);
        let monthly = if order >= 3 {
            30_000
        } else if under3 {
            15_000
        } else {
            10_000
        };
        children.push(AllowanceChild { birth: b, order, monthly });
    }
    let since = children.iter().map(|c| c.birth).min()?;
    Some(ChildAllowance { monthly_total: children.iter().map(|c| c.monthly).sum(), children, since })
}

/// 児童扶養手当 a month for a single parent with `children` under the age line and `income`
/// (所得), or `None` above the line.
pub fn child_rearing(children: u64, income: u64) -> Option<u64> {
    if children == 0 {
        return None;
    }
    let extra = children - 1;
    let full_line = 690_000 + 380_000 * extra;
    let part_line = 2_080_000 + 380_000 * extra;
    if income <= full_line {
        return Some(46_690 + 11_030 * extra);
    }
    if income > part_line {
        return None;
    }
    // In part: falls linearly from just under the whole amount to the floor at the line.
    let share = (part_line - income) as f64 / (part_line - full_line) as f64;
    let first = 11_010.0 + (46_680.0 - 11_010.0) * share;
    let more = (5_520.0 + (11_020.0 - 5_520.0) * share) * extra as f64;
    Some(((first + more) / 10.0).round() as u64 * 10)
}

/// A disability certificate (障害者手帳).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disability {
    pub handbook: Handbook,
    /// 等級 as the certificate writes it (1級 … 6級, A, B).
    pub grade: &'static str,
    pub issued_on: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handbook {
    Physical,
    Intellectual,
    Mental,
}

impl Handbook {
    pub fn name_ja(self) -> &'static str {
        match self {
            Handbook::Physical => "身体障害者手帳",
            Handbook::Intellectual => "療育手帳",
            Handbook::Mental => "精神障害者保健福祉手帳",
        }
    }
}

impl Disability {
    /// The pension grade the certificate suggests (1 or 2), if any: a simplification, since
    /// the pension has its own assessment.
    pub fn severe(&self) -> Option<u8> {
        match (self.handbook, self.grade) {
            (Handbook::Physical, "1級") | (Handbook::Intellectual, "A") | (Handbook::Mental, "1級") => Some(1),
            (Handbook::Physical, "2級") | (Handbook::Mental, "2級") => Some(2),
            _ => None,
        }
    }
}

/// Per 10,000 people of the age: (under 18, 18–64, 65 and over) for each handbook.
const RATES: [(Handbook, [u32; 3]); 3] =
    [(Handbook::Physical, [50, 160, 830]), (Handbook::Intellectual, [150, 110, 15]), (Handbook::Mental, [30, 135, 55])];

pub fn disability(rng: &mut impl Rng, age: u32, birth: Date, today: Date) -> Option<Disability> {
    let band = match age {
        0..18 => 0,
        18..65 => 1,
        _ => 2,
    };
    let roll = rng.random_range(0..10_000);
    let mut acc = 0;
    for (h, r) in RATES {
        acc += r[band];
        if roll < acc {
            let grade = match h {
                Handbook::Physical => {
                    ["1級", "1級", "2級", "3級", "3級", "4級", "4級", "4級", "5級", "6級"][rng.random_range(0..10)]
                }
                Handbook::Intellectual => ["A", "A", "B", "B", "B"][rng.random_range(0..5)],
                Handbook::Mental => ["1級", "2級", "2級", "2級", "3級", "3級"][rng.random_range(0..6)],
            };
            let span = (today - birth).whole_days().max(1);
            let issued_on = birth + time::Duration::days(rng.random_range(span / 2..=span));
            return Some(Disability { handbook: h, grade, issued_on });
        }
    }
    None
}

/// 特別児童扶養手当 a month for a child with `d`, under 20.
pub fn special_child(d: &Disability) -> Option<(u8, u64)> {
    match (d.handbook, d.grade) {
        (Handbook::Physical, "1級" | "2級") | (Handbook::Intellectual, "A") | (Handbook::Mental, "1級") => {
            Some((1, 56_800))
        }
        (Handbook::Physical, "3級") | (Handbook::Intellectual, "B") | (Handbook::Mental, "2級") => Some((2, 37_830)),
        _ => None,
    }
}
