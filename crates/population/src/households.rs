//! Households, one at a time: a head, maybe a spouse, children, and in some a parent.

use myna_registry::{Address, BirthDate, NewResident, PersonName, Relationship, Sex};
use myna_text::arabic_to_kanji;
use rand::{
    Rng, SeedableRng,
    distr::{Distribution, weighted::WeightedIndex},
};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

use crate::{names::NAMES, places::PLACES, pyramid::age_weights};

/// Yields households for a seed. The same seed and `today` give the same people.
pub struct Generator {
    rng: ChaCha8Rng,
    today: Date,
    ages_senior: (Vec<u32>, WeightedIndex<u32>),
    ages_old: (Vec<u32>, WeightedIndex<u32>),
    ages_adult: (Vec<u32>, WeightedIndex<u32>),
    places: WeightedIndex<f64>,
    household: u64,
}

/// Household shapes with their share of households (2020 census, rounded).
const SHAPES: [(Shape, u32); 5] = [
    (Shape::Single, 38),
    (Shape::Couple, 20),
    (Shape::CoupleChildren, 25),
    (Shape::SingleParent, 9),
    (Shape::ThreeGenerations, 8),
];

#[derive(Clone, Copy)]
enum Shape {
    Single,
    Couple,
    CoupleChildren,
    SingleParent,
    ThreeGenerations,
}

fn weighted(ages: Vec<(u32, u32)>) -> Option<(Vec<u32>, WeightedIndex<u32>)> {
    let (a, w): (Vec<u32>, Vec<u32>) = ages.into_iter().unzip();
    Some((a, WeightedIndex::new(w).ok()?))
}

impl Generator {
    /// `None` only if the shipped tables were empty.
    pub fn new(seed: u64, today: Date) -> Option<Self> {
        Self::with_places(seed, today, |_| true)
    }

    /// People only in the municipalities `codes` name (a designated city brings its wards),
    /// each weighted as in the whole country: a small country of real places (the demo's).
    /// `None` when no code names a municipality with towns.
    pub fn within(seed: u64, today: Date, codes: &[&str]) -> Option<Self> {
        let g = myna_text::address::Gazetteer::embedded();
        Self::with_places(seed, today, |lg| codes.iter().any(|c| g.holds(c, lg)))
    }

    fn with_places(seed: u64, today: Date, keep: impl Fn(&str) -> bool) -> Option<Self> {
        let weights: Vec<f64> =
            PLACES.munis.iter().zip(&PLACES.weights).map(|(m, &w)| if keep(&m.lg_code) { w } else { 0.0 }).collect();
        let places = WeightedIndex::new(&weights).ok()?;
        Some(Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            today,
            ages_senior: weighted(age_weights(55))?,
            ages_old: weighted(age_weights(65))?,
            ages_adult: weighted(age_weights(20))?,
            places,
            household: 0,
        })
    }

    fn adult_age(&mut self) -> u32 {
        self.ages_adult.0[self.ages_adult.1.sample(&mut self.rng)]
    }

    fn senior_age(&mut self) -> u32 {
        self.ages_senior.0[self.ages_senior.1.sample(&mut self.rng)]
    }

    fn old_age(&mut self) -> u32 {
        self.ages_old.0[self.ages_old.1.sample(&mut self.rng)]
    }

    fn birth(&mut self, age: u32) -> BirthDate {
        // A day within the year of life `age`: born between age+1 years and age years ago.
        let days = i64::from(age) * 365 + i64::from(age / 4) + self.rng.random_range(0..365);
        let d = self.today - Duration::days(days);
        BirthDate::new(d, self.today).unwrap_or_else(|_| self.birth(0))
    }

    fn given(&mut self, sex: Sex) -> (&'static str, &'static str) {
        let list = if sex == Sex::Male { &NAMES.male } else { &NAMES.female };
        list.get(self.rng.random_range(0..list.len().max(1))).copied().unwrap_or(("太郎", "タロウ"))
    }

    fn address(&mut self) -> Option<Address> {
        let m = PLACES.munis.get(self.places.sample(&mut self.rng))?;
        let t = m.towns.get(self.rng.random_range(0..m.towns.len().max(1)))?;
        let chome =
            if t.has_chome { format!("{}丁目", arabic_to_kanji(self.rng.random_range(1..6))) } else { String::new() };
        let (ban, go) = (self.rng.random_range(1..40), self.rng.random_range(1..25));
        Address::parse(&format!("{}{}{}{chome}{ban}番地{go}号", m.pref, m.full_name(), t.name)).ok()
    }

    fn person(
        &mut self,
        surname: (&str, &str),
        sex: Sex,
        age: u32,
        addr: &Address,
        rel: Relationship,
    ) -> Option<NewResident> {
        let given = self.given(sex);
        let name =
            PersonName::new(&format!("{} {}", surname.0, given.0), &format!("{} {}", surname.1, given.1)).ok()?;
        let birth = self.birth(age);
        Some(NewResident {
            name,
            birth,
            sex: Some(sex),
            address: addr.clone(),
            household_offset: self.household,
            relationship: rel,
            born_here: self.rng.random_bool(0.98),
        })
    }

    /// The next household. Returns an empty list only if the shipped data were unusable.
    pub fn next_household(&mut self) -> Vec<NewResident> {
        let shape = SHAPES[WeightedIndex::new(SHAPES.map(|s| s.1)).map(|w| w.sample(&mut self.rng)).unwrap_or(0)].0;
        let Some(addr) = (0..5).find_map(|_| self.address()) else { return Vec::new() };
        let surname = NAMES
            .surnames
            .get(self.rng.random_range(0..NAMES.surnames.len().max(1)))
            .copied()
            .unwrap_or(("山田", "ヤマダ"));
        let head_sex = if self.rng.random_bool(0.5) { Sex::Male } else { Sex::Female };
        // Head ages by shape: a third of people living alone and most couples without
        // children at home are elderly in Japan; parents of children at home are 25–59.
        let head_age = match shape {
            Shape::Single if self.rng.random_bool(0.4) => self.old_age(),
            Shape::Single => self.adult_age(),
            Shape::Couple => self.senior_age(),
            Shape::CoupleChildren | Shape::SingleParent => self.rng.random_range(25..60),
            Shape::ThreeGenerations => self.rng.random_range(35..62),
        };
        let mut out = Vec::new();
        out.extend(self.person(surname, head_sex, head_age, &addr, Relationship::Head));
        let other = if head_sex == Sex::Male { Sex::Female } else { Sex::Male };
        if matches!(shape, Shape::Couple | Shape::CoupleChildren | Shape::ThreeGenerations) {
            let age = (head_age as i64 + self.rng.random_range(-4..=4)).clamp(20, 104) as u32;
            out.extend(self.person(surname, other, age, &addr, Relationship::Spouse));
        }
        if matches!(shape, Shape::CoupleChildren | Shape::SingleParent | Shape::ThreeGenerations) {
            let kids = self.rng.random_range(1..=3);
            for _ in 0..kids {
                let max = head_age.saturating_sub(20).min(30);
                let age = self.rng.random_range(0..=max);
                let sex = if self.rng.random_bool(0.512) { Sex::Male } else { Sex::Female };
                out.extend(self.person(surname, sex, age, &addr, Relationship::Child));
            }
        }
        if matches!(shape, Shape::ThreeGenerations) {
            let age = (head_age + self.rng.random_range(22..36)).min(104);
            let sex = if self.rng.random_bool(0.35) { Sex::Male } else { Sex::Female };
            out.extend(self.person(surname, sex, age, &addr, Relationship::Parent));
        }
        if out.is_empty() {
            return out;
        }
        self.household += 1;
        out
    }

    /// Households until at least `residents` people, cut at exactly that many.
    pub fn take(&mut self, residents: usize) -> Vec<NewResident> {
        let mut v = Vec::with_capacity(residents + 4);
        while v.len() < residents {
            let h = self.next_household();
            if h.is_empty() {
                break;
            }
            v.extend(h);
        }
        v.truncate(residents);
        v
    }

    /// Households handed out so far.
    pub fn households(&self) -> u64 {
        self.household
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 21);

    #[test]
    fn same_seed_same_people() {
        let a = Generator::new(7, TODAY).unwrap().take(300);
        let b = Generator::new(7, TODAY).unwrap().take(300);
        let c = Generator::new(8, TODAY).unwrap().take(300);
        let names =
            |v: &[NewResident]| v.iter().map(|p| (p.name.kanji.clone(), p.birth, p.address.line())).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&c));
        assert_eq!(a.len(), 300);
    }

    #[test]
    fn looks_like_japan() {
        let people = Generator::new(1, TODAY).unwrap().take(20_000);
        let old = people.iter().filter(|p| p.birth.age_on(TODAY) >= 65).count() as f64 / people.len() as f64;
        // About 29% of Japan is 65 or older; households skew it a little.
        assert!((0.2..0.4).contains(&old), "share 65+: {old}");
        let tokyo =
            people.iter().filter(|p| p.address.normalized().pref == "東京都").count() as f64 / people.len() as f64;
        assert!((0.08..0.14).contains(&tokyo), "share in Tokyo: {tokyo}");
        let heads = people.iter().filter(|p| p.relationship == Relationship::Head).count();
        assert!(heads > 7_000 && heads < 12_000, "{heads} households");
        // A household shares its address and surname.
        let first: Vec<_> = people.iter().take_while(|p| p.household_offset == 0).collect();
        assert!(first.iter().all(|p| p.address == first[0].address));
        assert!(people.iter().all(|p| p.birth.date() <= TODAY && !p.name.kana.is_empty()));
    }
}
