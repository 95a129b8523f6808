//! Work and earnings by age and sex.
//!
//! Sources, rounded: employment rates by age from 総務省統計局「労働力調査」(2023年平均, 就業率);
//! mean annual pay of employees by age from 国税庁「民間給与実態統計調査」(令和5年分, 年齢階層別
//! 平均給与); the employees' insurers in proportion to their insured (令和4年度: 協会けんぽ
//! 25.1 M, 健保組合 16.4 M, 共済 4.8 M); about one worker in ten self-employed (自営業主・家族
//! 従業者, 労働力調査), a quarter of those 65 and over.

use myna_registry::Sex;
use rand::Rng;

/// Which kind of insurer an employee's employer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Employer {
    /// 全国健康保険協会 (協会けんぽ): most small and mid-sized employers.
    Kyokai,
    /// A 健康保険組合 of a large employer.
    Kumiai,
    /// A 共済組合 of public servants.
    Kyosai,
}

/// What a person does for a living, with the year's earnings before deductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Paid a salary (給与収入), insured through the employer.
    Employee {
        employer: Employer,
        salary: u64,
    },
    /// Self-employed: business income after expenses (事業所得).
    SelfEmployed {
        income: u64,
    },
    None,
}

impl Work {
    pub fn earnings(&self) -> u64 {
        match *self {
            Work::Employee { salary, .. } => salary,
            Work::SelfEmployed { income } => income,
            Work::None => 0,
        }
    }
}

/// (first age of the band, employment rate % men, women, mean pay ¥10,000 men, women).
const BANDS: [(u32, u32, u32, u64, u64); 13] = [
    (15, 18, 21, 110, 100),
    (20, 72, 75, 279, 252),
    (25, 90, 86, 429, 352),
    (30, 93, 79, 492, 338),
    (35, 94, 78, 563, 343),
    (40, 94, 81, 620, 343),
    (45, 94, 82, 646, 346),
    (50, 93, 81, 686, 354),
    (55, 91, 75, 702, 341),
    (60, 84, 63, 551, 260),
    (65, 62, 43, 434, 213),
    (70, 42, 27, 372, 200),
    (75, 17, 9, 300, 180),
];

fn band(age: u32) -> Option<&'static (u32, u32, u32, u64, u64)> {
    BANDS.iter().rev().find(|b| age >= b.0)
}

/// A multiplier with mean about 1 and a long right tail (pay is skewed: the median is below
/// the mean), from a sum of uniforms (no normal distribution needed).
fn spread(rng: &mut impl Rng) -> f64 {
    let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
    (0.45 * z - 0.1).exp()
}

/// Draws a person's work. Students (under 23) who work do so part time.
pub fn draw(rng: &mut impl Rng, age: u32, sex: Option<Sex>) -> Work {
    let Some(&(_, men, women, pay_m, pay_w)) = band(age) else { return Work::None };
    let female = sex == Some(Sex::Female);
    let rate = if female { women } else { men };
    if rng.random_range(0..100) >= rate {
        return Work::None;
    }
    let self_employed = if age >= 65 { 25 } else { 9 };
    let mean = if female { pay_w } else { pay_m } as f64 * 10_000.0;
    let mut amount = (mean * spread(rng)).round();
    if age < 23 {
        // Part-time work beside school, mostly under the ¥1.3 M dependant line.
        amount = amount.min(rng.random_range(300_000.0..1_600_000.0));
    }
    let amount = ((amount as u64) / 1_000) * 1_000;
    if age >= 23 && rng.random_range(0..100) < self_employed {
        return Work::SelfEmployed { income: amount * 6 / 10 };
    }
    let employer = match rng.random_range(0..100) {
        0..54 => Employer::Kyokai,
        54..89 => Employer::Kumiai,
        _ => Employer::Kyosai,
    };
    Work::Employee { employer, salary: amount }
}
