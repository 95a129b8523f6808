//! Life events and the rules for applying them. A record is never overwritten in place:
//! each event is kept, and the current record is what the events add up to.

use time::Date;

use crate::{Address, BirthDate, PersonName, Relationship, Resident, Sex, Status};

/// What happened. Births and first registrations create a record; the rest change one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// 出生: a new record with a new number.
    Birth {
        name: PersonName,
        sex: Option<Sex>,
        address: Address,
        household: Option<u64>,
        relationship: Relationship,
    },
    /// 転入 from abroad, first registration: a new record with a new number.
    FirstRegistration {
        name: PersonName,
        birth: BirthDate,
        sex: Option<Sex>,
        address: Address,
        household: Option<u64>,
        relationship: Relationship,
    },
    /// 転入 of someone who had moved out of another municipality: same record and number.
    MoveIn {
        address: Address,
        household: Option<u64>,
        relationship: Relationship,
    },
    /// 転出, to an address in another municipality; `on` is the (planned) move-out date.
    MoveOut {
        to: Address,
    },
    /// 転居, within the same municipality.
    MoveWithin {
        address: Address,
    },
    NameChange {
        name: PersonName,
    },
    Death,
}

impl EventKind {
    /// The names of the events that create a record (also used by bulk loads).
    pub const BIRTH: &'static str = "birth";
    pub const FIRST_REGISTRATION: &'static str = "first_registration";

    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Birth { .. } => Self::BIRTH,
            EventKind::FirstRegistration { .. } => Self::FIRST_REGISTRATION,
            EventKind::MoveIn { .. } => "move_in",
            EventKind::MoveOut { .. } => "move_out",
            EventKind::MoveWithin { .. } => "move_within",
            EventKind::NameChange { .. } => "name_change",
            EventKind::Death => "death",
        }
    }

    pub fn creates_record(&self) -> bool {
        matches!(self, EventKind::Birth { .. } | EventKind::FirstRegistration { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeEvent {
    /// The day it took effect (届出の異動日).
    pub on: Date,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("{on} is in the future (today is {today})")]
    Future { on: Date, today: Date },
    #[error("{on} is before the resident's birth ({birth})")]
    BeforeBirth { on: Date, birth: BirthDate },
    #[error("the resident died on {0}; no further events can be recorded")]
    Deceased(Date),
    #[error("the resident moved out on {0}; record a move-in first")]
    MovedOut(Date),
    #[error("only a resident who moved out can move in; this one lives at {0}")]
    NotMovedOut(String),
    #[error("{event} creates a new record and cannot apply to an existing one")]
    CreatesRecord { event: &'static str },
    #[error("a move within a municipality must stay in it ({from} → {to}); record a move-out and a move-in")]
    LeavesMunicipality { from: String, to: String },
    #[error("the new name is the same as the current one")]
    SameName,
    #[error("{on} is more than {days} days ahead (today is {today}); a 転出届 is taken at most {days} days before the move", days = crate::moving::ADVANCE_DAYS)]
    TooFarAhead { on: Date, today: Date },
    #[error("{to} is in the same municipality ({city}); a move within it is a 転居 (move_within)")]
    SameMunicipality { to: String, city: String },
    #[error("the resident moved out to {moved_to} on {on}; the 転入 is recorded by that municipality, not at {here}")]
    WrongDestination { moved_to: String, on: Date, here: String },
    #[error("{on} is before the move out on {out}")]
    BeforeMoveOut { on: Date, out: Date },
}

impl LifeEvent {
    /// Checks the date against today: no event in the future, but a 転出届 up to
    /// [`crate::moving::ADVANCE_DAYS`] before the planned move.
    pub fn check_date(&self, today: Date) -> Result<(), EventError> {
        let ahead = (self.on - today).whole_days();
        match self.kind {
            EventKind::MoveOut { .. } if ahead > crate::moving::ADVANCE_DAYS => {
                Err(EventError::TooFarAhead { on: self.on, today })
            }
            EventKind::MoveOut { .. } => Ok(()),
            _ if ahead > 0 => Err(EventError::Future { on: self.on, today }),
            _ => Ok(()),
        }
    }
}

impl Resident {
    /// The record after `event`, or why the event cannot apply. `self` is left unchanged.
    pub fn apply(&self, event: &LifeEvent, today: Date) -> Result<Resident, EventError> {
        event.check_date(today)?;
        if event.on < self.birth.date() {
            return Err(EventError::BeforeBirth { on: event.on, birth: self.birth });
        }
        match (&self.status, &event.kind) {
            (Status::Deceased { on }, _) => return Err(EventError::Deceased(*on)),
            (Status::MovedOut { on: out, .. }, EventKind::MoveIn { address, .. }) => {
                if event.on < *out {
                    return Err(EventError::BeforeMoveOut { on: event.on, out: *out });
                }
                if let Some(to) = crate::moving::destination(&self.status)
                    && crate::moving::keeper(&to) != crate::moving::keeper(address)
                {
                    return Err(EventError::WrongDestination {
                        moved_to: to.normalized().city.clone(),
                        on: *out,
                        here: address.normalized().city.clone(),
                    });
                }
            }
            (Status::MovedOut { on, .. }, _) => return Err(EventError::MovedOut(*on)),
            (Status::Resident, EventKind::MoveIn { .. }) => return Err(EventError::NotMovedOut(self.address.line())),
            _ => {}
        }
        let mut next = self.clone();
        match &event.kind {
            EventKind::Birth { .. } | EventKind::FirstRegistration { .. } => {
                return Err(EventError::CreatesRecord { event: event.kind.as_str() });
            }
            EventKind::MoveIn { address, household, relationship } => {
                next.address = address.clone();
                next.household = household.unwrap_or(0);
                next.relationship = *relationship;
                next.status = Status::Resident;
            }
            EventKind::MoveOut { to } => {
                if crate::moving::keeper(to) == crate::moving::keeper(&self.address) {
                    return Err(EventError::SameMunicipality { to: to.line(), city: to.normalized().city.clone() });
                }
                next.status = Status::MovedOut { on: event.on, to: to.line() }
            }
            EventKind::MoveWithin { address } => {
                // Between wards of one designated city is a 転居 too: the city keeps both.
                if crate::moving::keeper(address) != crate::moving::keeper(&self.address) {
                    return Err(EventError::LeavesMunicipality {
                        from: self.address.normalized().city.clone(),
                        to: address.normalized().city.clone(),
                    });
                }
                next.address = address.clone();
            }
            EventKind::NameChange { name } => {
                if name == &self.name {
                    return Err(EventError::SameName);
                }
                next.name = name.clone();
            }
            EventKind::Death => next.status = Status::Deceased { on: event.on },
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use myna_number::NumberIssuer;
    use time::macros::date;

    use super::*;
    use crate::ResidentCode;

    const TODAY: Date = date!(2026 - 11 - 21);

    fn hanako() -> Resident {
        let iss = NumberIssuer::new(&[3; 32]).unwrap();
        Resident {
            code: "12345678901".parse::<ResidentCode>().unwrap(),
            number: iss.individual(1).unwrap(),
            name: PersonName::new("佐藤 花子", "サトウ ハナコ").unwrap(),
            birth: BirthDate::parse("1990-04-01", TODAY).unwrap(),
            sex: Some(Sex::Female),
            address: Address::parse("東京都千代田区霞が関2-1-2").unwrap(),
            household: 1,
            relationship: Relationship::Head,
            status: Status::Resident,
        }
    }

    fn ev(on: Date, kind: EventKind) -> LifeEvent {
        LifeEvent { on, kind }
    }

    #[test]
    fn a_life_in_events() {
        let r = hanako();
        let r = r
            .apply(
                &ev(
                    date!(2020 - 01 - 10),
                    EventKind::MoveWithin { address: Address::parse("千代田区永田町1-7-1").unwrap() },
                ),
                TODAY,
            )
            .unwrap();
        assert_eq!(r.address.normalized().town, "永田町一丁目");
        let r = r
            .apply(
                &ev(
                    date!(2021 - 03 - 01),
                    EventKind::NameChange { name: PersonName::new("鈴木 花子", "スズキ ハナコ").unwrap() },
                ),
                TODAY,
            )
            .unwrap();
        let r = r
            .apply(
                &ev(
                    date!(2022 - 03 - 01),
                    EventKind::MoveOut { to: Address::parse("大阪府大阪市北区梅田1-1").unwrap() },
                ),
                TODAY,
            )
            .unwrap();
        assert_eq!(r.status.as_str(), "moved_out");
        let err = r.apply(
            &ev(
                date!(2022 - 03 - 02),
                EventKind::NameChange { name: PersonName::new("田中 花子", "タナカ ハナコ").unwrap() },
            ),
            TODAY,
        );
        assert_eq!(err, Err(EventError::MovedOut(date!(2022 - 03 - 01))));
        let r = r
            .apply(
                &ev(
                    date!(2022 - 03 - 05),
                    EventKind::MoveIn {
                        address: Address::parse("大阪府大阪市北区梅田1-1").unwrap(),
                        household: Some(9),
                        relationship: Relationship::Head,
                    },
                ),
                TODAY,
            )
            .unwrap();
        assert_eq!(r.address.lg_code(), "271276");
        let r = r.apply(&ev(date!(2025 - 01 - 01), EventKind::Death), TODAY).unwrap();
        assert_eq!(
            r.apply(&ev(date!(2025 - 01 - 02), EventKind::Death), TODAY),
            Err(EventError::Deceased(date!(2025 - 01 - 01)))
        );
    }

    #[test]
    fn bad_events_are_refused() {
        let r = hanako();
        assert!(matches!(r.apply(&ev(date!(2030 - 01 - 01), EventKind::Death), TODAY), Err(EventError::Future { .. })));
        assert!(matches!(
            r.apply(&ev(date!(1980 - 01 - 01), EventKind::Death), TODAY),
            Err(EventError::BeforeBirth { .. })
        ));
        assert!(matches!(
            r.apply(
                &ev(
                    date!(2020 - 01 - 01),
                    EventKind::MoveWithin { address: Address::parse("大阪府大阪市北区梅田1-1").unwrap() }
                ),
                TODAY
            ),
            Err(EventError::LeavesMunicipality { .. })
        ));
        assert!(matches!(
            r.apply(
                &ev(
                    date!(2020 - 01 - 01),
                    EventKind::MoveIn {
                        address: Address::parse("大阪府大阪市北区梅田1-1").unwrap(),
                        household: None,
                        relationship: Relationship::Head
                    }
                ),
                TODAY
            ),
            Err(EventError::NotMovedOut(_))
        ));
    }

    fn move_in(on: Date, to: &str) -> LifeEvent {
        ev(
            on,
            EventKind::MoveIn {
                address: Address::parse(to).unwrap(),
                household: None,
                relationship: Relationship::Head,
            },
        )
    }

    #[test]
    fn a_move_goes_to_its_destination_and_nowhere_else() {
        let r = hanako();
        let osaka = || EventKind::MoveOut { to: Address::parse("大阪府大阪市北区梅田1-1").unwrap() };
        // Planned two weeks ahead: taken; a day more: refused.
        let out = r.apply(&ev(TODAY + time::Duration::days(14), osaka()), TODAY).unwrap();
        assert_eq!(out.status.moved_to(), Some("大阪府大阪市北区梅田一丁目1"));
        assert!(matches!(
            r.apply(&ev(TODAY + time::Duration::days(15), osaka()), TODAY),
            Err(EventError::TooFarAhead { .. })
        ));
        // A "move out" within the municipality is a 転居.
        let within = EventKind::MoveOut { to: Address::parse("東京都千代田区永田町1-7-1").unwrap() };
        assert!(matches!(r.apply(&ev(TODAY, within), TODAY), Err(EventError::SameMunicipality { .. })));
        // Moved out to 大阪市: a 転入 in another of its wards is its own, in 札幌 it is not.
        let out = r.apply(&ev(TODAY, osaka()), TODAY).unwrap();
        assert!(out.apply(&move_in(TODAY, "大阪府大阪市中央区大手前2-1"), TODAY).is_ok());
        let e = out.apply(&move_in(TODAY, "北海道札幌市中央区北一条西2-1"), TODAY).unwrap_err();
        assert!(e.to_string().contains("大阪市") && e.to_string().contains("札幌市"), "{e}");
        // Between two wards of 大阪市 it is a 転居.
        let moved = out.apply(&move_in(TODAY, "大阪府大阪市中央区大手前2-1"), TODAY).unwrap();
        let ward = EventKind::MoveWithin { address: Address::parse("大阪府大阪市北区梅田1-1").unwrap() };
        assert_eq!(moved.apply(&ev(TODAY, ward), TODAY).unwrap().address.lg_code(), "271276");
        // Not before the move out, and not in the future.
        let planned = r.apply(&ev(TODAY + time::Duration::days(3), osaka()), TODAY).unwrap();
        assert!(matches!(
            planned.apply(&move_in(TODAY, "大阪府大阪市北区梅田1-1"), TODAY),
            Err(EventError::BeforeMoveOut { .. })
        ));
    }

    proptest::proptest! {
        /// A 転出届 is taken up to 14 days ahead; every other event only once it happened.
        #[test]
        fn only_a_move_out_is_planned(days in -400i64..400) {
            let on = TODAY + time::Duration::days(days);
            let out = ev(on, EventKind::MoveOut { to: Address::parse("大阪府大阪市北区梅田1-1").unwrap() });
            proptest::prop_assert_eq!(out.check_date(TODAY).is_ok(), days <= crate::moving::ADVANCE_DAYS);
            proptest::prop_assert_eq!(ev(on, EventKind::Death).check_date(TODAY).is_ok(), days <= 0);
            proptest::prop_assert_eq!(move_in(on, "大阪府大阪市北区梅田1-1").check_date(TODAY).is_ok(), days <= 0);
        }
    }
}
