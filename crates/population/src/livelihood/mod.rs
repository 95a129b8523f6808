//! What the country's agencies would record about each resident, beside the basic 4 items:
//! work and income, health insurance, pensions, the year's municipal tax, allowances for
//! children, disability certificates, public assistance and national qualifications.
//! Computed a household at a time, deterministically from the seed and the household, from
//! rates of public statistics (each module names its sources). No I/O: [`copies`] turns a
//! household into what each agency holds, in the data standard layout.

pub mod benefits;
mod copies;
pub mod cover;
pub mod insurer;
pub mod pension;
pub mod qualification;
pub mod tax;
pub mod work;

use myna_registry::{Relationship, Sex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

pub use copies::{Copy, Holder, copies, municipality_of};

use self::{
    benefits::{ChildAllowance, Disability},
    cover::{Cover, Scheme},
    pension::Pension,
    qualification::Qualification,
    tax::{Class, LocalTax},
    work::Work,
};

/// What the model needs of a registered person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    /// The reading, in katakana.
    pub kana: String,
    pub birth: Date,
    pub sex: Option<Sex>,
    pub relationship: Relationship,
    /// Where they live (the ward's code in a designated city).
    pub lg_code: String,
}

impl From<&myna_registry::NewResident> for Person {
    fn from(r: &myna_registry::NewResident) -> Self {
        Self {
            name: r.name.kanji.clone(),
            kana: r.name.kana.clone(),
            birth: r.birth.date(),
            sex: r.sex,
            relationship: r.relationship,
            lg_code: r.address.lg_code().to_string(),
        }
    }
}

/// One resident with what the agencies record.
#[derive(Debug, Clone)]
pub struct Member {
    pub person: Person,
    pub age: u32,
    pub work: Work,
    pub cover: Cover,
    pub pensions: Vec<Pension>,
    pub tax: LocalTax,
    /// Members this one claims as 扶養親族 or 同一生計配偶者 (by index in the household).
    pub dependants: Vec<usize>,
    pub child_allowance: Option<ChildAllowance>,
    /// 児童扶養手当 a month.
    pub child_rearing: Option<u64>,
    /// 特別児童扶養手当: grade and amount a month.
    pub special_child: Option<(u8, u64)>,
    pub disability: Option<Disability>,
    pub qualification: Option<Qualification>,
    /// The account registered for public funds (公金受取口座), if any.
    pub account: Option<FundAccount>,
}

/// A public-fund account: 56.22 M registered by 2023 (seed 001), about half of adults; a
/// child's by a parent now and then. Banks drawn from the largest and ゆうちょ, each account
/// at a real branch of the Zengin list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundAccount {
    pub bank: &'static str,
    pub branch: &'static str,
    pub kind: myna_zengin::AccountKind,
    pub number: String,
}

fn fund_account(rng: &mut impl Rng, age: u32) -> Option<FundAccount> {
    let share = if age >= 18 { 52 } else { 10 };
    if rng.random_range(0..100) >= share {
        return None;
    }
    // (bank, weight): ゆうちょ, みずほ, 三菱ＵＦＪ, 三井住友, りそな.
    const BANKS: [(&str, u32); 5] = [("9900", 30), ("0001", 15), ("0005", 25), ("0009", 20), ("0010", 10)];
    let mut roll = rng.random_range(0..100);
    let bank = BANKS.iter().find(|(_, w)| {
        let hit = roll < *w;
        roll = roll.saturating_sub(*w);
        hit
    })?;
    let branches = myna_zengin::Codes::embedded().branches_of(bank.0);
    let branch = branches.get(rng.random_range(0..branches.len().max(1)))?;
    Some(FundAccount {
        bank: bank.0,
        branch: branch.code,
        kind: myna_zengin::AccountKind::Ordinary,
        number: format!("{:07}", rng.random_range(0..10_000_000u32)),
    })
}

#[derive(Debug, Clone)]
pub struct Household {
    pub members: Vec<Member>,
    /// 生活保護 since this day.
    pub assistance: Option<Date>,
    pub class: Class,
}

impl Household {
    /// 住民税非課税世帯: no member owes the 均等割.
    pub fn non_taxable(&self) -> bool {
        self.members.iter().all(|m| m.tax.non_taxable)
    }
}

fn age(birth: Date, today: Date) -> u32 {
    let mut a = today.year() - birth.year();
    if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
        a -= 1;
    }
    a.max(0) as u32
}

/// The household `key` (its number in the registry) of `people` on `today`, for `seed`.
pub fn household(seed: u64, key: u64, today: Date, people: Vec<Person>) -> Household {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.rotate_left(17) ^ key.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let lg = people.first().map(|p| p.lg_code.clone()).unwrap_or_default();
    let class = tax::class_of(&lg);
    let ages: Vec<u32> = people.iter().map(|p| age(p.birth, today)).collect();
    let works: Vec<Work> = people.iter().zip(&ages).map(|(p, &a)| work::draw(&mut rng, a, p.sex)).collect();
    let disabilities: Vec<Option<Disability>> =
        people.iter().zip(&ages).map(|(p, &a)| benefits::disability(&mut rng, a, p.birth, today)).collect();
    let quals: Vec<Option<Qualification>> = people
        .iter()
        .zip(&ages)
        .map(|(p, &a)| qualification::draw(&mut rng, a, p.sex == Some(Sex::Female), p.birth))
        .collect();
    let accounts: Vec<Option<FundAccount>> = ages.iter().map(|&a| fund_account(&mut rng, a)).collect();
    let head = people.iter().position(|p| p.relationship == Relationship::Head).unwrap_or(0);
    let has_spouse = people.iter().any(|p| p.relationship == Relationship::Spouse);
    let kids18: Vec<usize> = (0..people.len())
        .filter(|&i| {
            people[i].relationship == Relationship::Child && today <= benefits::until_march_after(people[i].birth, 18)
        })
        .collect();
    let single_parent = !has_spouse && !kids18.is_empty() && ages.get(head).copied().unwrap_or(0) >= 18;
    let earned: u64 = works.iter().map(Work::earnings).sum();
    let head_earned = works.get(head).map(Work::earnings).unwrap_or(0);
    let head_age = ages.get(head).copied().unwrap_or(0);
    // Chances of public assistance (%), by household: elderly people alone on little, people
    // alone without work, single parents earning little.
    let chance = match () {
        _ if people.len() == 1 && head_age >= 65 && earned == 0 => 12,
        _ if people.len() == 1 && (20..65).contains(&head_age) && earned == 0 => 15,
        _ if single_parent && head_earned < 2_000_000 => 20,
        _ if earned < 1_000_000 && ages.iter().all(|&a| a >= 20) => 4,
        _ => 0,
    };
    let assistance = (rng.random_range(0..100) < chance).then(|| {
        let adult = pension::reaches(people.get(head).map(|p| p.birth).unwrap_or(today), 18);
        (today - Duration::days(rng.random_range(30..3_650))).max(adult)
    });
    // Pensions.
    let mut pensions: Vec<Vec<Pension>> = vec![Vec::new(); people.len()];
    for (i, p) in people.iter().enumerate() {
        let female = p.sex == Some(Sex::Female);
        if ages[i] >= 65 {
            let months = if rng.random_range(0..100) < 80 { 480 } else { rng.random_range(300..480) };
            let was_employee =
                matches!(works[i], Work::Employee { .. }) || rng.random_range(0..100) < if female { 45 } else { 80 };
            let employee = if was_employee {
                let m = if female { rng.random_range(100..=400) } else { rng.random_range(380..=480) };
                let mean: u64 = if female { 354_000 } else { 686_000 } * 10 / 12;
                (m, (mean as f64 * (0.6 + rng.random::<f64>() * 0.8)) as u64)
            } else {
                (0, 0)
            };
            pensions[i].push(pension::old_age(p.birth, months, employee));
        } else if ages[i] >= 20
            && let Some(grade) = disabilities[i].as_ref().and_then(Disability::severe)
            && rng.random_range(0..100) < 70
        {
            let since =
                disabilities[i].as_ref().map(|d| d.issued_on).unwrap_or(today).max(pension::reaches(p.birth, 20));
            pensions[i].push(pension::disability(grade, since));
        }
    }
    let mut survivors_monthly = 0;
    if single_parent && rng.random_range(0..100) < 7 {
        let youngest = kids18.iter().map(|&k| people[k].birth).max().unwrap_or(today);
        let since = youngest + Duration::days(rng.random_range(0..=(today - youngest).whole_days().max(1)));
        let p = pension::survivors(kids18.len().min(9) as u8, since.min(today));
        survivors_monthly = p.annual / 12;
        pensions[head].push(p);
    }
    // Who claims whom: the parent (head or spouse) with the larger income claims the others
    // whose income is within the line.
    let inputs: Vec<tax::Input> = (0..people.len())
        .map(|i| tax::Input {
            salary: match works[i] {
                Work::Employee { salary, .. } => salary,
                _ => 0,
            },
            business: match works[i] {
                Work::SelfEmployed { income } => income,
                _ => 0,
            },
            old_age_pension: pensions[i].iter().map(Pension::taxable).sum(),
            age: ages[i],
            disabled: disabilities[i].is_some(),
            single_parent: single_parent && i == head,
            assisted: assistance.is_some(),
            ..tax::Input::default()
        })
        .collect();
    let main = (0..people.len())
        .filter(|&i| matches!(people[i].relationship, Relationship::Head | Relationship::Spouse))
        .max_by_key(|&i| (inputs[i].total_income(), i == head))
        .unwrap_or(head);
    let claimed: Vec<usize> =
        (0..people.len()).filter(|&j| j != main && inputs[j].total_income() <= tax::DEPENDANT_LINE).collect();
    let fiscal_year = tax::fiscal_year(today);
    let taxes: Vec<LocalTax> = (0..people.len())
        .map(|i| {
            let mut x = inputs[i].clone();
            if i == main {
                x.spouse = claimed.iter().any(|&j| people[j].relationship == Relationship::Spouse);
                x.dependants = claimed
                    .iter()
                    .filter(|&&j| people[j].relationship != Relationship::Spouse)
                    .map(|&j| ages[j])
                    .collect();
            }
            tax::assess(&x, class, fiscal_year)
        })
        .collect();
    // Health insurance: employees earning at least ¥1.06 M (the line for part-timers at
    // larger employers) are insured through their employer, under 75.
    let insured = |i: usize| match works[i] {
        Work::Employee { employer, salary } if ages[i] < 75 && salary >= 1_060_000 => Some((employer, salary)),
        _ => None,
    };
    let mut covers: Vec<Option<Cover>> = vec![None; people.len()];
    for i in 0..people.len() {
        if let Some((employer, _)) = insured(i) {
            let years = i64::from((ages[i].saturating_sub(18)).clamp(1, 15));
            let since = today - Duration::days(rng.random_range(30..=years * 365));
            covers[i] = Some(Cover {
                scheme: Scheme::Employee(employer),
                insurer: cover::insurer_of(Scheme::Employee(employer), &people[i].lg_code),
                symbol: format!("{:08}", rng.random_range(10_000_000..99_999_999u32)),
                number: format!("{}", rng.random_range(1..99_999u32)),
                since,
            });
        }
    }
    // Dependants go on the insurance of the parent (head or spouse) who earns most.
    let earner = (0..people.len())
        .filter(|&i| matches!(people[i].relationship, Relationship::Head | Relationship::Spouse))
        .filter_map(|i| insured(i).map(|(_, salary)| (i, salary)))
        .max_by_key(|&(_, salary)| salary)
        .map(|(i, _)| i);
    let household_number = format!("{:07}", key % 10_000_000);
    for i in 0..people.len() {
        if covers[i].is_some() {
            continue;
        }
        let earnings = works[i].earnings() + pensions[i].iter().map(|p| p.annual).sum::<u64>();
        let line = if ages[i] >= 60 { 1_800_000 } else { 1_300_000 };
        covers[i] = Some(if ages[i] >= 75 && assistance.is_none() {
            Cover {
                scheme: Scheme::LateStage,
                insurer: cover::insurer_of(Scheme::LateStage, &people[i].lg_code),
                symbol: String::new(),
                number: format!("{:08}", rng.random_range(10_000_000..99_999_999u32)),
                since: pension::reaches(people[i].birth, 75).next_day().unwrap_or(today),
            }
        } else if let Some(since) = assistance {
            Cover { scheme: Scheme::MedicalAid, insurer: None, symbol: String::new(), number: String::new(), since }
        } else if let Some(e) = earner.filter(|&e| e != i && earnings < line)
            && let Some(c) = covers[e].clone()
            && let Scheme::Employee(employer) = c.scheme
        {
            Cover { scheme: Scheme::Dependant(employer), since: c.since.max(people[i].birth), ..c }
        } else {
            let from = today - Duration::days(rng.random_range(30..3_650));
            Cover {
                scheme: Scheme::National,
                insurer: cover::insurer_of(Scheme::National, &people[i].lg_code),
                symbol: format!("{:04}", key % 10_000),
                number: household_number.clone(),
                since: from.max(people[i].birth),
            }
        });
    }
    // Allowances for children: to the parent who earns more.
    let recipient =
        if matches!(people.get(main).map(|p| p.relationship), Some(Relationship::Head | Relationship::Spouse)) {
            main
        } else {
            head
        };
    let births: Vec<Date> = people.iter().filter(|p| p.relationship == Relationship::Child).map(|p| p.birth).collect();
    let allowance = benefits::child_allowance(&births, today);
    let rearing = if single_parent {
        benefits::child_rearing(kids18.len() as u64, inputs[head].total_income())
            .map(|a| a.saturating_sub(survivors_monthly))
            .filter(|&a| a > 0)
    } else {
        None
    };
    let special = (0..people.len())
        .filter(|&i| people[i].relationship == Relationship::Child && ages[i] < 20)
        .filter_map(|i| disabilities[i].as_ref().and_then(benefits::special_child))
        .min_by_key(|s| s.0);
    let members = people
        .into_iter()
        .enumerate()
        .map(|(i, person)| Member {
            age: ages[i],
            work: works[i],
            cover: covers[i].take().unwrap_or(Cover {
                scheme: Scheme::National,
                insurer: cover::insurer_of(Scheme::National, &person.lg_code),
                symbol: String::new(),
                number: household_number.clone(),
                since: person.birth,
            }),
            pensions: std::mem::take(&mut pensions[i]),
            tax: taxes[i].clone(),
            dependants: if i == main { claimed.clone() } else { Vec::new() },
            child_allowance: if i == recipient { allowance.clone() } else { None },
            child_rearing: if i == head { rearing } else { None },
            special_child: if i == recipient { special } else { None },
            disability: disabilities[i].clone(),
            qualification: quals[i].clone(),
            account: accounts[i].clone(),
            person,
        })
        .collect();
    Household { members, assistance, class }
}
