//! Public pensions, by the amounts of FY2025 (令和7年度: 老齢基礎年金 ¥831,700 for those born on
//! or after 1956-04-02, ¥829,300 before; 障害基礎年金 1級 1.25 times the full amount, 2級 the full
//! amount; 遺族基礎年金 the full amount plus ¥239,300 for each of the first two children and
//! ¥79,800 for each further one). 老齢厚生年金 (報酬比例部分) is the career's mean monthly pay ×
//! 5.481/1000 × months insured. The FY2026 revision is not in our sources.

use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 老齢基礎年金 (with 老齢厚生年金 when the person was an employee).
    OldAge { employee_part: u64 },
    /// 障害基礎年金 of grade 1 or 2.
    Disability { grade: u8 },
    /// 遺族基礎年金 to a widowed parent of children under 18.
    Survivors { children: u8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pension {
    pub kind: Kind,
    /// 年金額 (a year).
    pub annual: u64,
    /// 受給権発生日.
    pub since: Date,
}

impl Pension {
    /// The name on the pension certificate (年金証書).
    pub fn name_ja(&self) -> &'static str {
        match self.kind {
            Kind::OldAge { employee_part: 0 } => "老齢基礎年金",
            Kind::OldAge { .. } => "老齢基礎年金・老齢厚生年金",
            Kind::Disability { .. } => "障害基礎年金",
            Kind::Survivors { .. } => "遺族基礎年金",
        }
    }

    /// Only old-age pensions are taxed (障害・遺族年金 are not income under the tax law).
    pub fn taxable(&self) -> u64 {
        match self.kind {
            Kind::OldAge { .. } => self.annual,
            _ => 0,
        }
    }
}

const FULL: u64 = 831_700;
const FULL_BEFORE_1956: u64 = 829_300;

fn full_for(birth: Date) -> u64 {
    if birth >= Date::from_calendar_date(1956, Month::April, 2).unwrap_or(birth) { FULL } else { FULL_BEFORE_1956 }
}

/// The day a person reaches `years` under the law (the day before the birthday).
pub fn reaches(birth: Date, years: i32) -> Date {
    let y = birth.year() + years;
    let day = Date::from_calendar_date(y, birth.month(), birth.day())
        .or_else(|_| Date::from_calendar_date(y, Month::March, 1))
        .unwrap_or(birth);
    day.previous_day().unwrap_or(day)
}

/// The old-age pension of someone 65 or over: `months` of 480 paid in, and `employee` months
/// at a mean monthly pay `pay` in 厚生年金.
pub fn old_age(birth: Date, months: u32, employee: (u32, u64)) -> Pension {
    let basic = full_for(birth) * u64::from(months.min(480)) / 480;
    let (m, pay) = employee;
    let employee_part = pay * 5_481 * u64::from(m) / 1_000_000;
    let annual = (basic + employee_part) / 100 * 100;
    Pension { kind: Kind::OldAge { employee_part }, annual, since: reaches(birth, 65) }
}

pub fn disability(grade: u8, since: Date) -> Pension {
    let annual = if grade == 1 { FULL * 5 / 4 } else { FULL };
    Pension { kind: Kind::Disability { grade }, annual, since }
}

pub fn survivors(children: u8, since: Date) -> Pension {
    let addition: u64 = (0..children).map(|i| if i < 2 { 239_300 } else { 79_800 }).sum();
    Pension { kind: Kind::Survivors { children }, annual: FULL + addition, since }
}
