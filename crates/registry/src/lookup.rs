//! Looking up a record by the basic 4 items, as the rule since December 2023 requires:
//! all 4 items, or 3 without sex. Fewer are refused. Several matches are reported as
//! ambiguous so the clerk narrows with more data; one is never picked silently.

use time::Date;

use crate::{Address, AddressError, BirthDate, DateError, PersonName, Resident, Sex, person::parse_date};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupRefused {
    #[error("a lookup needs name, date of birth and address (sex too when the record has it); missing: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    #[error("name: {0}")]
    Name(String),
    #[error("date of birth: {0}")]
    Birth(#[from] DateError),
    #[error("address: {0}")]
    Address(#[from] AddressError),
    #[error("sex: {0:?} is neither male nor female")]
    Sex(String),
}

/// A lookup that satisfies the rule. Only [`LookupQuery::new`] builds one.
#[derive(Debug, Clone)]
pub struct LookupQuery {
    pub name_key: String,
    pub birth: Date,
    pub sex: Option<Sex>,
    pub address: Address,
}

/// One match with the items that agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub resident: Resident,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupOutcome {
    NotFound,
    Unique(Box<Match>),
    /// Several records agree with what was given: narrow with more data.
    Ambiguous(Vec<Match>),
}

/// The store's index key for a lookup: a 63-bit digest of (name key, birth date), the same
/// for every spelling the name key folds together. A small integer index is a third the size
/// of one on the text key, which matters at 126 million records; a collision only adds a
/// candidate, and [`LookupQuery::decide`] compares the full key.
///
/// FNV-1a, written out because the digest is stored: it must never change between builds,
/// which std's `Hasher`s do not promise.
pub fn match_digest(name_key: &str, birth: Date) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let date = birth.to_julian_day().to_le_bytes();
    for b in name_key.bytes().chain([0xff]).chain(date) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 1) as i64
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl LookupQuery {
    pub fn new(
        name: Option<&str>,
        birth: Option<&str>,
        sex: Option<&str>,
        address: Option<&str>,
        today: Date,
    ) -> Result<Self, LookupRefused> {
        let (name, birth, sex, address) = (given(name), given(birth), given(sex), given(address));
        let missing: Vec<&'static str> =
            [("name", name.is_none()), ("date of birth", birth.is_none()), ("address", address.is_none())]
                .into_iter()
                .filter_map(|(f, m)| m.then_some(f))
                .collect();
        if !missing.is_empty() {
            return Err(LookupRefused::Missing(missing));
        }
        let name = name.unwrap_or_default();
        // The reading is not one of the 4 items; a placeholder satisfies the type.
        let pn = PersonName::new(name, "ア").map_err(|e| LookupRefused::Name(e.to_string()))?;
        let birth = BirthDate::new(parse_date(birth.unwrap_or_default())?, today)?;
        let sex = match sex {
            None => None,
            Some(s) => Some(Sex::parse(s).ok_or_else(|| LookupRefused::Sex(s.chars().take(20).collect()))?),
        };
        let address = Address::parse(address.unwrap_or_default())?;
        Ok(Self { name_key: pn.key(), birth: birth.date(), sex, address })
    }

    /// The index key this query is looked up by (see [`match_digest`]).
    pub fn digest(&self) -> i64 {
        match_digest(&self.name_key, self.birth)
    }

    /// Which of the 4 items `r` does not agree with (name, date of birth, sex, address, in
    /// that order), or `None` when all do — by the same rules as [`Self::decide`]: old and
    /// new character forms and address notations fold together. An agency linking a number
    /// to a person it knows gives its own 4 items; this is what J-LIS checks them by.
    pub fn differs(&self, r: &Resident) -> Option<&'static str> {
        if r.name.key() != self.name_key {
            return Some("name");
        }
        if r.birth.date() != self.birth {
            return Some("date of birth");
        }
        if let (Some(a), Some(b)) = (self.sex, r.sex)
            && a != b
        {
            return Some("sex");
        }
        if r.address.match_key() != self.address.match_key() {
            return Some("address");
        }
        None
    }

    /// Decides among records that share the name key and birth date (the store's index).
    /// Address must agree by municipality, town and block; sex, when both sides have it.
    /// Deceased and moved-out records still match: the register keeps them (除票).
    pub fn decide(&self, candidates: impl IntoIterator<Item = Resident>) -> LookupOutcome {
        let want = self.address.match_key();
        let mut hits: Vec<Match> = candidates
            .into_iter()
            .filter(|r| r.name.key() == self.name_key && r.birth.date() == self.birth)
            .filter(|r| r.address.match_key() == want)
            .filter(|r| match (self.sex, r.sex) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .map(|resident| Match { resident })
            .collect();
        match hits.len() {
            0 => LookupOutcome::NotFound,
            1 => LookupOutcome::Unique(Box::new(hits.remove(0))),
            _ => LookupOutcome::Ambiguous(hits),
        }
    }
}

#[cfg(test)]
mod tests {
    use myna_number::NumberIssuer;
    use time::macros::date;

    use super::*;
    use crate::{Relationship, ResidentCode, Status};

    const TODAY: Date = date!(2026 - 11 - 21);

    fn person(serial: u64, name: &str, sex: Option<Sex>, addr: &str) -> Resident {
        let iss = NumberIssuer::new(&[5; 32]).unwrap();
        Resident {
            code: format!("{serial:011}").parse::<ResidentCode>().unwrap(),
            number: iss.individual(serial).unwrap(),
            name: PersonName::new(name, "ヤマダ タロウ").unwrap(),
            birth: BirthDate::parse("1980-05-05", TODAY).unwrap(),
            sex,
            address: Address::parse(addr).unwrap(),
            household: serial,
            relationship: Relationship::Head,
            status: Status::Resident,
        }
    }

    fn q(
        name: Option<&str>,
        birth: Option<&str>,
        sex: Option<&str>,
        addr: Option<&str>,
    ) -> Result<LookupQuery, LookupRefused> {
        LookupQuery::new(name, birth, sex, addr, TODAY)
    }

    #[test]
    fn the_index_digest_follows_the_name_key() {
        let r = person(1, "齋藤 さくら", None, "千代田区霞が関2-1-2");
        let same = q(Some("斎藤さくら"), Some("1980-05-05"), None, Some("千代田区霞が関2-1-2")).unwrap();
        assert_eq!(same.digest(), r.match_digest(), "variant spellings share the index key");
        let other_day = q(Some("斎藤さくら"), Some("1980-05-06"), None, Some("千代田区霞が関2-1-2")).unwrap();
        assert_ne!(other_day.digest(), r.match_digest());
        assert!(r.match_digest() >= 0, "stored as a non-negative BIGINT");
    }

    #[test]
    fn two_items_are_refused_with_what_is_missing() {
        let e = q(Some("山田太郎"), Some("1980-05-05"), None, None).unwrap_err();
        assert_eq!(e, LookupRefused::Missing(vec!["address"]));
        assert!(e.to_string().contains("missing: address"));
        assert!(matches!(
            q(Some("山田太郎"), Some("1980-02-30"), None, Some("千代田区霞が関1-1")),
            Err(LookupRefused::Birth(_))
        ));
    }

    #[test]
    fn variants_match_and_several_hits_are_ambiguous() {
        let a = person(1, "山田 太郎", Some(Sex::Male), "東京都千代田区霞が関二丁目一番地二号");
        let b = person(2, "山田 太郎", None, "東京都千代田区霞が関2-1-2 別棟");
        let c = person(3, "山田 太郎", Some(Sex::Male), "東京都千代田区永田町1-1");
        let all = vec![a.clone(), b.clone(), c];
        // 3 items without sex: both records at the address agree → ambiguous, never one chosen.
        let query = q(Some("山田　太郎"), Some("1980-05-05"), None, Some("千代田区霞ヶ関２－１－２")).unwrap();
        assert!(matches!(query.decide(all.clone()), LookupOutcome::Ambiguous(v) if v.len() == 2));
        // Sex narrows only records that hold one: b has none and still agrees.
        let query = q(Some("山田太郎"), Some("1980-05-05"), Some("female"), Some("千代田区霞が関2-1-2")).unwrap();
        assert!(matches!(query.decide(all.clone()), LookupOutcome::Unique(m) if m.resident == b));
        let query = q(Some("山田太郎"), Some("1980-05-05"), Some("male"), Some("千代田区永田町一丁目1番")).unwrap();
        assert!(matches!(query.decide(all.clone()), LookupOutcome::Unique(_)));
        let query = q(Some("山田花子"), Some("1980-05-05"), None, Some("千代田区永田町1-1")).unwrap();
        assert_eq!(query.decide(all), LookupOutcome::NotFound);
    }

    #[test]
    fn the_differing_item_is_named_and_spellings_fold_together() {
        let r = person(7, "齋藤 さくら", Some(Sex::Female), "東京都千代田区霞が関2-1-2");
        let ask = |n: &str, b: &str, s: Option<&str>, a: &str| q(Some(n), Some(b), s, Some(a)).unwrap().differs(&r);
        // Old character form, full-width digits and kanji numerals: the same person.
        assert_eq!(ask("斎藤 さくら", "1980-05-05", Some("female"), "千代田区霞が関二丁目１番２号"), None);
        assert_eq!(ask("斎藤 さくら", "1980-05-05", None, "千代田区霞が関2-1-2"), None, "3 items without sex");
        assert_eq!(ask("斎藤 さくら", "1980-05-06", None, "千代田区霞が関2-1-2"), Some("date of birth"));
        assert_eq!(ask("斎藤 花子", "1980-05-05", None, "千代田区霞が関2-1-2"), Some("name"));
        assert_eq!(ask("斎藤 さくら", "1980-05-05", Some("male"), "千代田区霞が関2-1-2"), Some("sex"));
        assert_eq!(ask("斎藤 さくら", "1980-05-05", None, "千代田区永田町1-7-1"), Some("address"));
        assert!(matches!(q(Some("斎藤 さくら"), Some("1980-05-05"), None, None), Err(LookupRefused::Missing(_))));
    }
}
