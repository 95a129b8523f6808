use myna_number::IndividualNumber;
use time::Date;

use crate::{Address, BirthDate, PersonName, Relationship, ResidentCode, Sex};

/// Where a resident's record stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Living at the registered address.
    Resident,
    /// Moved out (転出) to the place named; the record is kept.
    MovedOut {
        on: Date,
        to: String,
    },
    Deceased {
        on: Date,
    },
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Resident => "resident",
            Status::MovedOut { .. } => "moved_out",
            Status::Deceased { .. } => "deceased",
        }
    }

    /// The day the record left `Resident`, if it did.
    pub fn since(&self) -> Option<Date> {
        match self {
            Status::Resident => None,
            Status::MovedOut { on, .. } | Status::Deceased { on } => Some(*on),
        }
    }

    /// Where the resident moved to, for a moved-out record.
    pub fn moved_to(&self) -> Option<&str> {
        match self {
            Status::MovedOut { to, .. } => Some(to),
            _ => None,
        }
    }
}

/// One person's current record: the basic 4 items, reading, household and numbers.
/// The past is in the life events; this is their result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub code: ResidentCode,
    pub number: IndividualNumber,
    pub name: PersonName,
    pub birth: BirthDate,
    /// `None` for records that hold no sex (the 2023 lookup rule allows 3 items for them).
    pub sex: Option<Sex>,
    pub address: Address,
    pub household: u64,
    pub relationship: Relationship,
    pub status: Status,
}

impl Resident {
    /// The lookup index key of this record (see [`crate::match_digest`]).
    pub fn match_digest(&self) -> i64 {
        crate::match_digest(&self.name.key(), self.birth.date())
    }
}

/// A person to register for the first time in a bulk load (a population). The store gives
/// the record code and the number.
#[derive(Debug, Clone)]
pub struct NewResident {
    pub name: PersonName,
    pub birth: BirthDate,
    pub sex: Option<Sex>,
    pub address: Address,
    /// Household, counted from the base the loader reserved.
    pub household_offset: u64,
    pub relationship: Relationship,
    /// Born in Japan (a birth event) rather than registered on arrival from abroad.
    pub born_here: bool,
}

impl NewResident {
    /// The event that creates this record ([`crate::EventKind::as_str`]'s name) and the
    /// day it took effect: the birth, or `today` for a first registration.
    pub fn first_event(&self, today: Date) -> (&'static str, Date) {
        use crate::EventKind;
        if self.born_here { (EventKind::BIRTH, self.birth.date()) } else { (EventKind::FIRST_REGISTRATION, today) }
    }
}
