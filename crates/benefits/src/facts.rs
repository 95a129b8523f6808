//! The municipality's own records of its residents (the copies its node holds) turned into
//! households, as a benefit rule reads them. Pure: the rows come from the caller.

use std::{
    collections::{BTreeSet, HashMap},
    hash::{DefaultHasher, Hash, Hasher},
};

use myna_link::InfoItem;
use serde_json::Value;
use time::Date;

use crate::rule::{Household, Member};

/// The items a rule reads and where the household comes from.
pub const ITEMS: &[InfoItem] = &[
    InfoItem::ResidentRecord,
    InfoItem::LocalTax,
    InfoItem::ChildAllowance,
    InfoItem::ChildRearingAllowance,
    InfoItem::Disability,
];

#[derive(Default)]
struct Known {
    household: Option<u64>,
    birth: Option<Date>,
    head: bool,
    non_taxable: Option<bool>,
    items: BTreeSet<InfoItem>,
}

/// Households gathered row by row (a page at a time for a large city), kept small: the
/// copies' JSON is not held.
#[derive(Default)]
pub struct Gather {
    people: HashMap<String, Known>,
}

fn date(v: &Value) -> Option<Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    v.as_str().and_then(|s| Date::parse(s, &f).ok())
}

impl Gather {
    /// One copy of one person: `item` with its `body`.
    pub fn add(&mut self, person: &str, item: InfoItem, body: &Value) {
        let f = self.people.entry(person.to_string()).or_default();
        f.items.insert(item);
        match item {
            InfoItem::ResidentRecord => {
                // The household is its head and its members as the record lists them: the
                // same for every member of it.
                let mut h = DefaultHasher::new();
                body.get("household_head").and_then(Value::as_str).unwrap_or_default().hash(&mut h);
                body.get("members").map(Value::to_string).unwrap_or_default().hash(&mut h);
                f.household = Some(h.finish());
                f.birth = body.get("birth").and_then(date);
                f.head = body.get("relationship").and_then(Value::as_str) == Some("世帯主");
            }
            InfoItem::LocalTax => f.non_taxable = body.get("non_taxable").and_then(Value::as_bool),
            _ => {}
        }
    }

    /// The households, and the people who could not be placed in one (no resident record, or
    /// one without a birth date: the record of an older layout), by reference.
    pub fn households(self) -> (Vec<Household>, Vec<String>) {
        let mut by: HashMap<u64, Household> = HashMap::new();
        let mut unplaced = Vec::new();
        for (person, f) in self.people {
            let (Some(h), Some(birth)) = (f.household, f.birth) else {
                unplaced.push(person);
                continue;
            };
            by.entry(h).or_default().members.push(Member {
                person,
                birth,
                head: f.head,
                non_taxable: f.non_taxable,
                items: f.items,
            });
        }
        let mut out: Vec<Household> = by.into_values().collect();
        for h in &mut out {
            h.members.sort_by(|a, b| a.person.cmp(&b.person));
        }
        out.sort_by(|a, b| a.members.first().map(|m| &m.person).cmp(&b.members.first().map(|m| &m.person)));
        unplaced.sort();
        (out, unplaced)
    }
}
