//! Municipal tax (個人住民税) for the year, from the year before's income, by the rules in
//! force for 令和8年度 (2025 income): 給与所得控除 with its minimum raised to ¥650,000 (令和7年度
//! 税制改正), 公的年金等控除, the 住民税 basic deduction ¥430,000, spouse and dependant
//! deductions with the dependant's income line at ¥580,000, 所得割 10 % (municipality 6 %,
//! prefecture 4 %), 均等割 ¥5,000 (3,000 + 1,000 + 森林環境税 1,000), and the non-taxable lines
//! of 地方税法 (生活保護; 障害者・未成年者・ひとり親 up to ¥1,350,000; 均等割 by the municipality's
//! class 級地, 所得割 by the national line). 調整控除 is taken at its usual minimum (¥2,500).

/// The class of a municipality (級地) that scales the 均等割 non-taxable line: 1.0, 0.9, 0.8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    First,
    Second,
    Third,
}

impl Class {
    fn per_person(self) -> u64 {
        match self {
            Class::First => 350_000,
            Class::Second => 315_000,
            Class::Third => 280_000,
        }
    }

    fn with_dependants(self) -> u64 {
        match self {
            Class::First => 210_000,
            Class::Second => 189_000,
            Class::Third => 168_000,
        }
    }
}

/// 級地 of the municipalities that are 1級地 under the public-assistance standard
/// (厚生労働省「生活保護法による保護の基準」別表 級地区分, as revised for 令和7年度: the 特別区 and
/// the large cities); the model takes every other municipality as 3級地, a simplification.
pub fn class_of(lg_code: &str) -> Class {
    let city = super::municipality_of(lg_code);
    let city = city.as_str();
    let first =
        ["011002", "131", "132012", "141003", "141305", "271004", "271403", "261009", "281000", "231002", "401307"];
    // "131": every 特別区 (131016 to 131237).
    if first.iter().any(|p| if p.len() == 3 { city.starts_with(p) } else { city == *p }) {
        Class::First
    } else {
        Class::Third
    }
}

/// 給与所得: salary less 給与所得控除 (from 2025 income).
pub fn salary_income(salary: u64) -> u64 {
    let deduction = match salary {
        0..=1_900_000 => 650_000,
        1_900_001..=3_600_000 => salary * 3 / 10 + 80_000,
        3_600_001..=6_600_000 => salary * 2 / 10 + 440_000,
        6_600_001..=8_500_000 => salary / 10 + 1_100_000,
        _ => 1_950_000,
    };
    salary.saturating_sub(deduction)
}

/// 公的年金等に係る雑所得 of an old-age pension (disability and survivors' pensions are not
/// taxed). 65 and over: at least ¥1,100,000 deducted; under 65: ¥600,000.
pub fn pension_income(pension: u64, age: u32) -> u64 {
    let floor = if age >= 65 { 1_100_000 } else { 600_000 };
    let deduction = match pension {
        0..=3_299_999 => floor,
        3_300_000..=4_099_999 => (pension / 4 + 275_000).max(floor),
        4_100_000..=7_699_999 => pension * 15 / 100 + 685_000,
        _ => pension / 20 + 1_455_000,
    };
    pension.saturating_sub(deduction)
}

/// What the assessment needs of one person.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub salary: u64,
    pub business: u64,
    pub old_age_pension: u64,
    pub age: u32,
    pub disabled: bool,
    pub single_parent: bool,
    pub assisted: bool,
    /// A spouse in the household with income within the line (同一生計配偶者).
    pub spouse: bool,
    /// Ages of the dependants in the household claimed by this person (扶養親族).
    pub dependants: Vec<u32>,
}

impl Input {
    /// 合計所得金額.
    pub fn total_income(&self) -> u64 {
        salary_income(self.salary) + self.business + pension_income(self.old_age_pension, self.age)
    }
}

/// Income within which a spouse or relative may be claimed (合計所得金額, from 2025 income).
pub const DEPENDANT_LINE: u64 = 580_000;

/// One person's municipal tax for the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTax {
    /// 課税年度 (the fiscal year, April to March).
    pub fiscal_year: i32,
    /// 合計所得金額.
    pub total_income: u64,
    /// 所得控除の合計.
    pub deductions: u64,
    /// 課税標準額 (taxable income after deductions, to the ¥1,000 below).
    pub taxable: u64,
    /// 所得割額.
    pub income_levy: u64,
    /// 均等割額 (with 森林環境税).
    pub per_capita_levy: u64,
    /// Neither levy is due (均等割 non-taxable).
    pub non_taxable: bool,
}

/// Assesses one person for `fiscal_year` in a municipality of `class`.
pub fn assess(x: &Input, class: Class, fiscal_year: i32) -> LocalTax {
    let total = x.total_income();
    let social = x.salary * 1475 / 10_000
        + if x.business > 0 { x.business / 10 + if x.age < 60 { 210_120 } else { 0 } } else { 0 }
        + x.old_age_pension * 8 / 100;
    let dependants: u64 = x
        .dependants
        .iter()
        .map(|&a| match a {
            0..=15 => 0,
            19..=22 => 450_000,
            70.. => 380_000,
            _ => 330_000,
        })
        .sum();
    let spouse = if x.spouse && total <= 9_000_000 { 330_000 } else { 0 };
    let disabled = if x.disabled { 260_000 } else { 0 };
    let single_parent = if x.single_parent { 300_000 } else { 0 };
    let deductions = 430_000 + social + spouse + dependants + disabled + single_parent;
    let taxable = total.saturating_sub(deductions) / 1_000 * 1_000;
    let n = 1 + u64::from(x.spouse) + x.dependants.len() as u64;
    let with_deps = n > 1;
    let per_capita_line = class.per_person() * n + 100_000 + if with_deps { class.with_dependants() } else { 0 };
    let income_line = 350_000 * n + 100_000 + if with_deps { 320_000 } else { 0 };
    let minor = x.age < 18;
    let non_taxable =
        x.assisted || ((x.disabled || minor || x.single_parent) && total <= 1_350_000) || total <= per_capita_line;
    let income_levy = if non_taxable || total <= income_line {
        0
    } else {
        (taxable / 10).saturating_sub(2_500.min(taxable / 20)) / 100 * 100
    };
    LocalTax {
        fiscal_year,
        total_income: total,
        deductions,
        taxable,
        income_levy,
        per_capita_levy: if non_taxable { 0 } else { 5_000 },
        non_taxable,
    }
}

/// The municipal tax year being collected on `today`: a year's assessment is sent in June.
pub fn fiscal_year(today: time::Date) -> i32 {
    if (today.month() as u8) >= 6 { today.year() } else { today.year() - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(salary: u64) -> LocalTax {
        assess(&Input { salary, age: 40, ..Input::default() }, Class::First, 2026)
    }

    #[test]
    fn the_lines_fall_where_the_rules_put_them() {
        // Salary ¥1,100,000 → 給与所得 ¥450,000: at the 1級地 line for one person.
        assert!(one(1_100_000).non_taxable);
        assert!(!one(1_110_000).non_taxable);
        // ¥5,000,000 salary: 給与所得 3,560,000; deductions 430,000 + 737,500 social.
        let t = one(5_000_000);
        assert_eq!(t.total_income, 3_560_000);
        assert_eq!(t.taxable, 2_392_000);
        assert_eq!(t.income_levy, 236_700);
        assert_eq!(t.per_capita_levy, 5_000);
        // A pensioner on the basic pension only owes nothing.
        let p = assess(&Input { old_age_pension: 831_700, age: 70, ..Input::default() }, Class::Third, 2026);
        assert_eq!(p.total_income, 0);
        assert!(p.non_taxable);
        // A family of four on ¥2,500,000: under the line with dependants in a 1級地.
        let f = Input { salary: 2_500_000, age: 35, spouse: true, dependants: vec![5, 8], ..Input::default() };
        assert!(assess(&f, Class::First, 2026).non_taxable, "{:?}", assess(&f, Class::First, 2026));
        assert!(!assess(&Input { salary: 4_000_000, ..f }, Class::First, 2026).non_taxable);
    }
}
