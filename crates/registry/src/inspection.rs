//! マイナンバー情報総点検: how one of an agency's links stands against the register — the
//! number and the agency's own 4 items of the person it linked. Pure: the caller gives the
//! number's record, the names it had before, and what a 4-item lookup of the agency's items
//! found.

use time::Date;

use crate::{LookupOutcome, LookupQuery, Resident, ResidentCode, Status};

/// A link, classed as the 2023 inspection classed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The number's resident is the person the agency holds.
    Matches,
    /// The same person, whose items changed since the agency took them (moved, renamed):
    /// update the agency's record, not an error.
    Changed { items: Vec<&'static str> },
    /// The number is someone else's. `owner` is the resident the agency's 4 items are (if the
    /// register has exactly one), and whether they share a household with the number's
    /// resident (the family swap).
    Wrong { owner: Option<ResidentCode>, same_household: bool },
    /// The number's resident died.
    Deceased { on: Date },
}

/// Classes a link: `record` is the number's resident, `former_names` the name keys it had
/// before (from its history), `found` the lookup of the agency's 4 items.
pub fn stand(q: &LookupQuery, record: &Resident, former_names: &[String], found: &LookupOutcome) -> Standing {
    if let Status::Deceased { on } = record.status {
        return Standing::Deceased { on };
    }
    if q.differs(record).is_none() {
        return Standing::Matches;
    }
    // The agency's items are another resident's: the number was written for the wrong person.
    if let LookupOutcome::Unique(m) = found
        && m.resident.code != record.code
    {
        return Standing::Wrong {
            owner: Some(m.resident.code),
            same_household: m.resident.household == record.household,
        };
    }
    let same_birth = q.birth == record.birth.date();
    let same_name = q.name_key == record.name.key() || former_names.iter().any(|n| n == &q.name_key);
    let sex_agrees = match (q.sex, record.sex) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    // Birth and sex never change; a name or an address may (a former name counts as the name).
    if same_birth && sex_agrees && same_name {
        let mut items = Vec::new();
        if q.name_key != record.name.key() {
            items.push("name");
        }
        if q.address.match_key() != record.address.match_key() {
            items.push("address");
        }
        return Standing::Changed { items };
    }
    Standing::Wrong { owner: None, same_household: false }
}

#[cfg(test)]
mod tests {
    use myna_number::NumberIssuer;
    use time::macros::date;

    use super::*;
    use crate::{Address, BirthDate, Match, PersonName, Relationship, Sex};

    const TODAY: Date = date!(2026 - 12 - 04);

    fn person(serial: u64, name: &str, birth: &str, household: u64) -> Resident {
        let iss = NumberIssuer::new(&[5; 32]).unwrap();
        Resident {
            code: format!("{serial:011}").parse::<ResidentCode>().unwrap(),
            number: iss.individual(serial).unwrap(),
            name: PersonName::new(name, "タカハシ").unwrap(),
            birth: BirthDate::parse(birth, TODAY).unwrap(),
            sex: Some(Sex::Female),
            address: Address::parse("東京都千代田区霞が関2-1-2").unwrap(),
            household,
            relationship: Relationship::Head,
            status: Status::Resident,
        }
    }

    fn q(name: &str, birth: &str, address: &str) -> LookupQuery {
        LookupQuery::new(Some(name), Some(birth), None, Some(address), TODAY).unwrap()
    }

    #[test]
    fn each_cause_is_classed_as_the_inspection_did() {
        let mother = person(1, "髙橋 花子", "1970-01-01", 9);
        let son = person(2, "髙橋 太郎", "2000-01-01", 9);
        let here = "東京都千代田区霞が関2-1-2";
        let none = LookupOutcome::NotFound;
        assert_eq!(stand(&q("高橋 花子", "1970-01-01", here), &mother, &[], &none), Standing::Matches);
        // Moved, or renamed (her former name): update, not an error.
        let moved = q("髙橋 花子", "1970-01-01", "東京都千代田区永田町1-7-1");
        assert_eq!(stand(&moved, &mother, &[], &none), Standing::Changed { items: vec!["address"] });
        let former = PersonName::new("佐藤 花子", "サトウ").unwrap().key();
        let renamed = q("佐藤 花子", "1970-01-01", here);
        assert_eq!(stand(&renamed, &mother, &[former], &none), Standing::Changed { items: vec!["name"] });
        assert_eq!(stand(&renamed, &mother, &[], &none), Standing::Wrong { owner: None, same_household: false });
        // The family swap: the mother's number on the son's record.
        let sons = q("髙橋 太郎", "2000-01-01", here);
        let found = LookupOutcome::Unique(Box::new(Match { resident: son.clone() }));
        assert_eq!(stand(&sons, &mother, &[], &found), Standing::Wrong { owner: Some(son.code), same_household: true });
        // Died.
        let mut dead = mother.clone();
        dead.status = Status::Deceased { on: date!(2025 - 05 - 01) };
        assert_eq!(stand(&sons, &dead, &[], &found), Standing::Deceased { on: date!(2025 - 05 - 01) });
    }
}
