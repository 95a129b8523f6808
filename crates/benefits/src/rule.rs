//! A benefit as a municipality's clerk defines it, and who it is paid to: pure, no I/O. The
//! model is the push-type benefit of seed 000 (子育て世帯生活支援特別給付金（5万円）: a non-taxable
//! household with children, paid per child, without an application).

use std::collections::BTreeSet;

use myna_link::{AgencyKind, InfoItem, PermissionTable, TaskId};
use serde::{Deserialize, Serialize};
use time::Date;

/// The task every push benefit is paid under (特定公的給付の支給, 口座登録法).
pub const TASK: &str = "special_benefit";

/// How much is paid to a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "per", rename_all = "snake_case")]
pub enum Amount {
    /// For each child the rule counts (児童一人当たり).
    Child {
        yen: u64,
    },
    /// For each member of the household.
    Person {
        yen: u64,
    },
    Household {
        yen: u64,
    },
}

/// One condition of the rule; a household is eligible when every condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// 住民税非課税世帯: no member owes the municipal tax's per-capita levy.
    NonTaxableHousehold,
    /// Children until the March 31 after they reach `age` (児童: 18).
    ChildrenUnder { age: u8 },
    /// A member of the household receives `item` (児童扶養手当, a disability certificate …).
    Receives {
        /// An information item's id (child_rearing_allowance, disability, …).
        #[serde(with = "item_id")]
        #[schema(value_type = String)]
        item: InfoItem,
    },
}

mod item_id {
    use myna_link::InfoItem;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(i: &InfoItem, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(i.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<InfoItem, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// A benefit as defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Definition {
    pub name: String,
    pub amount: Amount,
    pub rule: Vec<Condition>,
    /// Who counts: the residents on this day (基準日).
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date)]
    pub basis: Date,
    /// The last day to decline or to change the account.
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date)]
    pub decline_by: Date,
    /// The day the money reaches the accounts (振込指定日).
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date)]
    pub pay_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct DefinitionError {
    pub field: &'static str,
    pub reason: String,
}

fn bad(field: &'static str, reason: impl Into<String>) -> DefinitionError {
    DefinitionError { field, reason: reason.into() }
}

/// Items a municipality holds of its own residents (it provides them on the table): a rule
/// may read them from its own records.
fn own(table: &PermissionTable, item: InfoItem) -> bool {
    table.rows().iter().any(|r| r.provider == AgencyKind::Municipality && r.item == item)
}

impl Definition {
    /// Refuses what cannot be paid as written: a name of 1–100 characters, an amount of ¥1 to
    /// ¥10,000,000, at least one condition, each condition once, the dates in order (basis ≤
    /// decline_by < pay_on), and only items the municipality holds itself or may ask for this
    /// task (the permission table): a rule cannot make the municipality read what it may not.
    pub fn check(&self, table: &PermissionTable, today: Date) -> Result<(), DefinitionError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(bad("name", "a benefit needs a name of 1–100 characters on one line"));
        }
        let yen = match self.amount {
            Amount::Child { yen } | Amount::Person { yen } | Amount::Household { yen } => yen,
        };
        if !(1..=10_000_000).contains(&yen) {
            return Err(bad("amount", format!("¥{yen} is not between ¥1 and ¥10,000,000")));
        }
        if self.rule.is_empty() {
            return Err(bad("rule", "a benefit paid without application needs at least one condition"));
        }
        let mut seen = BTreeSet::new();
        for c in &self.rule {
            if !seen.insert(serde_json::to_string(c).unwrap_or_default()) {
                return Err(bad("rule", "a condition is given twice"));
            }
            match *c {
                Condition::ChildrenUnder { age } if !(1..=22).contains(&age) => {
                    return Err(bad("rule", format!("children under {age}: the age is 1 to 22")));
                }
                Condition::Receives { item } if !own(table, item) => {
                    let task: TaskId = TaskId::try_from(TASK.to_string()).map_err(|e| bad("rule", e.to_string()))?;
                    let asked = table
                        .rows()
                        .iter()
                        .any(|r| r.requester == AgencyKind::Municipality && r.task == task && r.item == item);
                    // The table would let it ask; this node reads only its own records for a rule.
                    let why = if asked {
                        "is on the permission table for this task but held by another agency; a rule reads only the municipality's own records"
                    } else {
                        "is not the municipality's, and the permission table does not let a municipality ask for it to pay a benefit (特定公的給付の支給)"
                    };
                    return Err(bad("rule", format!("{} ({}) {why}", item.id(), item.name_ja())));
                }
                _ => {}
            }
        }
        if matches!(self.amount, Amount::Child { .. })
            && !self.rule.iter().any(|c| matches!(c, Condition::ChildrenUnder { .. }))
        {
            return Err(bad("amount", "an amount per child needs a condition that says which children count"));
        }
        if self.basis > self.decline_by {
            return Err(bad("decline_by", "the last day to decline comes on or after the basis day"));
        }
        if self.decline_by >= self.pay_on {
            return Err(bad("pay_on", "the payment day comes after the last day to decline"));
        }
        if self.decline_by < today {
            return Err(bad("decline_by", "the last day to decline has passed"));
        }
        Ok(())
    }

    /// What `h` is paid, to whom, if it is eligible.
    pub fn award(&self, h: &Household) -> Option<Award> {
        let mut children = 0u32;
        for c in &self.rule {
            match *c {
                Condition::NonTaxableHousehold => {
                    if !h.members.iter().all(|m| m.non_taxable != Some(false)) {
                        return None;
                    }
                }
                Condition::ChildrenUnder { age } => {
                    children =
                        h.members.iter().filter(|m| self.basis <= until_march_after(m.birth, age)).count() as u32;
                    if children == 0 {
                        return None;
                    }
                }
                Condition::Receives { item } => {
                    if !h.members.iter().any(|m| m.items.contains(&item)) {
                        return None;
                    }
                }
            }
        }
        let recipient = h.recipient()?;
        let amount = match self.amount {
            Amount::Child { yen } => yen * u64::from(children),
            Amount::Person { yen } => yen * h.members.len() as u64,
            Amount::Household { yen } => yen,
        };
        Some(Award { person: recipient.person.clone(), amount, children })
    }
}

/// The last day `birth` counts for `years`: the March 31 after the day the person reaches
/// that age (the day before the birthday, 年齢計算ニ関スル法律).
pub fn until_march_after(birth: Date, years: u8) -> Date {
    let y = birth.year() + i32::from(years);
    let reached = Date::from_calendar_date(y, birth.month(), birth.day())
        .or_else(|_| Date::from_calendar_date(y, time::Month::March, 1))
        .map(|d| d.previous_day().unwrap_or(d))
        .unwrap_or(birth);
    let march = if (reached.month() as u8) <= 3 { reached.year() } else { reached.year() + 1 };
    Date::from_calendar_date(march, time::Month::March, 31).unwrap_or(reached)
}

/// A member of a household as the municipality's records show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The municipality's own reference for the person.
    pub person: String,
    pub birth: Date,
    pub head: bool,
    /// From the municipal tax: `None` when the person has no tax record (a child, no income).
    pub non_taxable: Option<bool>,
    /// Items the municipality holds of them.
    pub items: BTreeSet<InfoItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Household {
    pub members: Vec<Member>,
}

impl Household {
    /// Who is paid: the member who receives the child allowance for the children (受給者), or
    /// else the head of the household.
    pub fn recipient(&self) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.items.contains(&InfoItem::ChildAllowance))
            .or_else(|| self.members.iter().find(|m| m.head))
    }
}

/// What a household is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub person: String,
    pub amount: u64,
    pub children: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn m(person: &str, birth: Date, head: bool, non_taxable: Option<bool>) -> Member {
        Member { person: person.into(), birth, head, non_taxable, items: BTreeSet::new() }
    }

    fn def(rule: Vec<Condition>) -> Definition {
        Definition {
            name: "子育て世帯生活支援特別給付金".into(),
            amount: Amount::Child { yen: 50_000 },
            rule,
            basis: date!(2026 - 12 - 01),
            decline_by: date!(2026 - 12 - 20),
            pay_on: date!(2026 - 12 - 25),
        }
    }

    #[test]
    fn non_taxable_households_with_children_are_paid_per_child_to_the_parent() {
        let d = def(vec![Condition::NonTaxableHousehold, Condition::ChildrenUnder { age: 18 }]);
        let mut mother = m("p1", date!(1990 - 05 - 01), true, Some(true));
        mother.items.insert(InfoItem::ChildAllowance);
        // 18 on 2026-11-30: counted until 2027-03-31. 18 on 2008-12-01's birthday eve: too.
        let h = Household {
            members: vec![
                m("p0", date!(1988 - 01 - 01), false, Some(true)),
                mother,
                m("p2", date!(2008 - 12 - 01), false, Some(true)),
                m("p3", date!(2020 - 01 - 01), false, None),
                m("p4", date!(2007 - 04 - 01), false, Some(true)),
            ],
        };
        let a = d.award(&h).unwrap();
        assert_eq!((a.person.as_str(), a.children, a.amount), ("p1", 2, 100_000));
        // Born 2007-04-02: 18 on 2025-04-01's eve, so counted until 2026-03-31 — not now.
        // Born 2007-04-01: 18 reached 2025-03-31, the March 31 of that same day: gone too.
        let mut taxed = h.clone();
        taxed.members[0].non_taxable = Some(false);
        assert_eq!(d.award(&taxed), None, "one member owes the tax");
        let alone = Household { members: vec![m("q", date!(1950 - 01 - 01), true, Some(true))] };
        assert_eq!(d.award(&alone), None, "no children");
        assert_eq!(until_march_after(date!(2008 - 04 - 01), 18), date!(2026 - 03 - 31), "reaches 18 on 03-31");
        assert_eq!(until_march_after(date!(2008 - 04 - 02), 18), date!(2027 - 03 - 31));
    }

    #[test]
    fn a_rule_may_read_only_what_the_municipality_may() {
        let t = PermissionTable::shipped().unwrap();
        let today = date!(2026 - 12 - 01);
        def(vec![Condition::NonTaxableHousehold, Condition::ChildrenUnder { age: 18 }]).check(&t, today).unwrap();
        let e = def(vec![Condition::ChildrenUnder { age: 18 }, Condition::Receives { item: InfoItem::PensionBenefit }])
            .check(&t, today)
            .unwrap_err();
        assert!(e.reason.contains("pension_benefit") && e.reason.contains("does not let"), "{e}");
        def(vec![Condition::ChildrenUnder { age: 18 }, Condition::Receives { item: InfoItem::ChildRearingAllowance }])
            .check(&t, today)
            .unwrap();
        let e = def(vec![Condition::NonTaxableHousehold]).check(&t, today).unwrap_err();
        assert_eq!(e.field, "amount", "per child with no children counted");
        let mut late = def(vec![Condition::ChildrenUnder { age: 18 }]);
        late.pay_on = late.decline_by;
        assert_eq!(late.check(&t, today).unwrap_err().field, "pay_on");
        let json = r#"{"name":"x","amount":{"per":"household","yen":30000},"rule":[{"kind":"receives","item":"child_rearing_allowance"}],
            "basis":"2026-12-01","decline_by":"2026-12-10","pay_on":"2026-12-20"}"#;
        let d: Definition = serde_json::from_str(json).unwrap();
        assert_eq!(d.rule, [Condition::Receives { item: InfoItem::ChildRearingAllowance }]);
        assert!(serde_json::from_str::<Definition>(&json.replace("child_rearing_allowance", "nope")).is_err());
    }
}
