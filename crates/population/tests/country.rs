//! Consistency of a generated country: what each agency holds agrees with the registry and
//! with the other agencies, by the rules the model follows.

use std::collections::{BTreeMap, HashMap};

use myna_population::{
    Generator,
    livelihood::{self, Holder, Person, cover::Scheme, pension::Kind},
};
use myna_registry::{NewResident, Relationship};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 12 - 04);

#[allow(clippy::unwrap_used)]
fn country(seed: u64, n: usize) -> Vec<(Vec<NewResident>, livelihood::Household)> {
    let people = Generator::new(seed, TODAY).unwrap().take(n);
    let mut by: BTreeMap<u64, Vec<NewResident>> = BTreeMap::new();
    for p in people {
        by.entry(p.household_offset).or_default().push(p);
    }
    by.into_iter()
        .map(|(k, v)| {
            let h = livelihood::household(seed, k, TODAY, v.iter().map(Person::from).collect());
            (v, h)
        })
        .collect()
}

#[test]
fn the_agencies_agree_with_the_registry_and_each_other() {
    let c = country(3, 30_000);
    let (mut people, mut late, mut national, mut aid, mut employee) = (0, 0, 0, 0, 0);
    let (mut non_taxable, mut assisted) = (0, 0);
    for (registered, h) in &c {
        assert_eq!(registered.len(), h.members.len());
        if h.non_taxable() {
            non_taxable += 1;
        }
        if h.assistance.is_some() {
            assisted += h.members.len();
        }
        let insurers: Vec<(Option<String>, Scheme)> =
            h.members.iter().map(|m| (m.cover.insurer.clone(), m.cover.scheme)).collect();
        for m in &h.members {
            people += 1;
            // Old-age pensions from 65 only.
            for p in &m.pensions {
                if let Kind::OldAge { .. } = p.kind {
                    assert!(m.age >= 65, "{} draws an old-age pension at {}", m.person.name, m.age);
                }
            }
            if m.age >= 65 {
                assert!(m.pensions.iter().any(|p| matches!(p.kind, Kind::OldAge { .. })), "65+ without a pension");
            }
            // Exactly one cover, of the kind the age and household allow.
            match m.cover.scheme {
                Scheme::LateStage => {
                    late += 1;
                    assert!(m.age >= 75);
                }
                Scheme::National => {
                    national += 1;
                    assert!(m.age < 75 && h.assistance.is_none());
                }
                Scheme::MedicalAid => {
                    aid += 1;
                    assert!(h.assistance.is_some());
                }
                Scheme::Employee(_) => {
                    employee += 1;
                    assert!(m.age < 75);
                }
                Scheme::Dependant(e) => {
                    employee += 1;
                    assert!(m.age < 75);
                    assert!(
                        insurers.iter().any(|(i, s)| *i == m.cover.insurer && *s == Scheme::Employee(e)),
                        "a dependant's insurer insures someone of the household"
                    );
                }
            }
            if m.age >= 75 {
                assert!(matches!(m.cover.scheme, Scheme::LateStage | Scheme::MedicalAid));
            }
            // Child allowance: the children paid for are children of the household under the
            // age line, at the 2024 amounts; paid to a parent.
            if let Some(a) = &m.child_allowance {
                assert!(matches!(m.person.relationship, Relationship::Head | Relationship::Spouse));
                for k in &a.children {
                    assert!(TODAY <= livelihood::benefits::until_march_after(k.birth, 18));
                    assert!(
                        h.members
                            .iter()
                            .any(|x| x.person.birth == k.birth && x.person.relationship == Relationship::Child)
                    );
                    assert!(matches!((k.order, k.monthly), (1 | 2, 10_000 | 15_000) | (3.., 30_000)), "{k:?}");
                }
                assert_eq!(a.monthly_total, a.children.iter().map(|k| k.monthly).sum::<u64>());
            }
            assert!(m.tax.non_taxable || m.tax.per_capita_levy == 5_000);
            if h.assistance.is_some() {
                assert!(m.tax.non_taxable, "no tax on public assistance");
            }
        }
        // Every copy is held where it belongs.
        for copy in livelihood::copies(h) {
            let m = &h.members[copy.member];
            let city = livelihood::insurer::prefecture_code(&m.person.lg_code);
            match (&copy.holder, copy.item) {
                (Holder::Municipality(code), "resident_record" | "local_tax" | "child_allowance") => {
                    let g = myna_text::address::Gazetteer::embedded();
                    assert!(g.holds(code, &m.person.lg_code), "{code} holds only its own residents");
                }
                (Holder::Prefecture(code), _) => assert_eq!(*code, city),
                (Holder::Municipality(code), "disability") => {
                    let g = myna_text::address::Gazetteer::embedded();
                    assert_eq!(
                        g.city_of_ward(&m.person.lg_code),
                        Some(code.as_str()),
                        "only a designated city holds certificates"
                    );
                }
                (Holder::Insurer(n), "medical_insurance") => assert_eq!(Some(n), m.cover.insurer.as_ref()),
                (Holder::PensionService, "pension_benefit") => assert!(!m.pensions.is_empty()),
                _ => {}
            }
            if copy.item == "resident_record" {
                let head = registered.iter().find(|p| p.relationship == Relationship::Head).unwrap();
                assert_eq!(copy.data["household_head"], head.name.kanji, "the household copy agrees with J-LIS");
                assert_eq!(copy.data["members"].as_array().unwrap().len(), registered.len());
                assert_eq!(copy.data["relationship"], registered[copy.member].relationship.label_ja());
            }
        }
    }
    let share = |n: usize| n as f64 / people as f64;
    eprintln!(
        "後期 {:.3} 国保 {:.3} 被用者 {:.3} 保護 {:.3} 非課税世帯 {:.3}",
        share(late),
        share(national),
        share(employee),
        share(assisted),
        non_taxable as f64 / c.len() as f64
    );
    // Japan, roughly: 75+ 16 % (後期高齢者 18.6 M), 国保 19 % (24.1 M), employee schemes about
    // 62 %, public assistance 1.6 %; 住民税非課税世帯 about a quarter of households.
    assert!((0.10..0.22).contains(&share(late)), "後期高齢者 {}", share(late));
    assert!((0.10..0.30).contains(&share(national)), "国保 {}", share(national));
    assert!((0.50..0.75).contains(&share(employee)), "被用者保険 {}", share(employee));
    assert!((0.005..0.04).contains(&share(assisted)) && aid <= assisted, "生活保護 {}", share(assisted));
    let nt = non_taxable as f64 / c.len() as f64;
    assert!((0.12..0.45).contains(&nt), "非課税世帯 {nt}");
}

#[test]
fn the_same_seed_gives_the_same_country_and_a_small_country_stays_in_its_places() {
    let a = country(9, 3_000);
    let b = country(9, 3_000);
    let sum = |c: &[(Vec<NewResident>, livelihood::Household)]| -> (u64, usize) {
        let tax = c.iter().flat_map(|(_, h)| &h.members).map(|m| m.tax.income_levy).sum();
        (tax, c.iter().flat_map(|(_, h)| livelihood::copies(h)).count())
    };
    assert_eq!(sum(&a), sum(&b));
    let codes = ["131016", "271004", "273830"];
    let people = Generator::within(5, TODAY, &codes).unwrap().take(2_000);
    let g = myna_text::address::Gazetteer::embedded();
    let mut per: HashMap<&str, usize> = HashMap::new();
    for p in &people {
        let c = codes.iter().find(|c| g.holds(c, p.address.lg_code())).expect("only the chosen places");
        *per.entry(c).or_default() += 1;
    }
    assert!(per.len() == 3, "{per:?}");
}
