//! The resident registry's rules (住民基本台帳, the J-LIS role), with no I/O: residents and
//! their basic 4 items (基本4情報), households and relationships (世帯, 続柄), life events
//! kept as history, and the 2023 lookup rule (4 items, or 3 without sex; never pick one of
//! several silently).

mod code;
mod event;
pub mod inspection;
mod jurisdiction;
mod lookup;
pub mod moving;
mod person;
mod resident;

pub use code::ResidentCode;
pub use event::{EventError, EventKind, LifeEvent};
pub use jurisdiction::{NotItsResident, check_keeps, keeps};
pub use lookup::{LookupOutcome, LookupQuery, LookupRefused, Match, match_digest};
pub use person::{Address, AddressError, BirthDate, DateError, NameError, PersonName, Relationship, Sex, parse_date};
pub use resident::{NewResident, Resident, Status};
