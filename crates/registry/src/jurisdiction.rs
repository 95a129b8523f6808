//! Which municipality keeps whose register (住民基本台帳は市町村が備える): the one of the
//! resident's address, or the designated city of that ward. A municipality records events
//! and reads full records only of the people whose register it keeps; a birth or a move in is
//! recorded by the municipality of the new address, everything else by the current one.

use myna_number::LocalGovCode;
use myna_text::address::Gazetteer;

use crate::{Address, EventKind, LifeEvent, Resident};

/// Why a municipality may not act on a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("municipality {caller} does not keep the register of {address} ({holder}); {holder} records this")]
pub struct NotItsResident {
    pub caller: LocalGovCode,
    pub holder: String,
    pub address: String,
}

/// Whether `municipality` keeps the register of people living at `address`.
pub fn keeps(municipality: LocalGovCode, address: &Address) -> bool {
    Gazetteer::embedded().holds(&municipality.as_str(), address.lg_code())
}

/// `Ok` if `municipality` keeps the register of `address`, else why not.
pub fn check_keeps(municipality: LocalGovCode, address: &Address) -> Result<(), NotItsResident> {
    if keeps(municipality, address) {
        Ok(())
    } else {
        Err(NotItsResident { caller: municipality, holder: address.lg_code().to_string(), address: address.line() })
    }
}

impl LifeEvent {
    /// The address whose municipality records this event: the new one for a birth, a first
    /// registration or a move in; the record's current one otherwise (`None` when the event
    /// changes a record and none is given).
    pub fn registering_address<'a>(&'a self, current: Option<&'a Resident>) -> Option<&'a Address> {
        match &self.kind {
            EventKind::Birth { address, .. }
            | EventKind::FirstRegistration { address, .. }
            | EventKind::MoveIn { address, .. } => Some(address),
            _ => current.map(|r| &r.address),
        }
    }

    /// Whether `municipality` may record this event on `current` (none for a new record).
    pub fn check_recorder(&self, municipality: LocalGovCode, current: Option<&Resident>) -> Result<(), NotItsResident> {
        match self.registering_address(current) {
            Some(a) => check_keeps(municipality, a),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn code(s: &str) -> LocalGovCode {
        s.parse().unwrap()
    }

    #[test]
    fn a_birth_is_recorded_where_the_child_lives_and_a_move_out_where_the_resident_lived() {
        let osaka_kita = Address::parse("大阪府大阪市北区中之島1-3-20").unwrap();
        let birth = LifeEvent {
            on: date!(2026 - 11 - 01),
            kind: EventKind::Birth {
                name: crate::PersonName::new("山田 太郎", "ヤマダ タロウ").unwrap(),
                sex: None,
                address: osaka_kita.clone(),
                household: None,
                relationship: crate::Relationship::Head,
            },
        };
        assert_eq!(birth.check_recorder(code("271004"), None), Ok(()), "the designated city");
        assert_eq!(birth.check_recorder(code("271276"), None), Ok(()), "the ward itself");
        let e = birth.check_recorder(code("131016"), None).unwrap_err();
        assert_eq!(e.holder, "271276");
        assert!(e.to_string().contains("does not keep the register"), "{e}");
        assert!(keeps(code("131016"), &Address::parse("東京都千代田区霞が関2-1-2").unwrap()));
    }
}
