use std::fmt;

use crate::{
    CorporateNumber, IndividualNumber, LocalGovCode,
    digits::digits,
    error::{NumberError, NumberKind},
};

/// A number whose kind is decided by its length: 12 individual, 13 corporate, 6 local code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnyNumber {
    Individual(IndividualNumber),
    Corporate(CorporateNumber),
    LocalGov(LocalGovCode),
}

impl AnyNumber {
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        let d = digits(input)?;
        match d.len() {
            12 => IndividualNumber::from_digits(&d).map(Self::Individual),
            13 => CorporateNumber::from_digits(&d).map(Self::Corporate),
            6 => LocalGovCode::from_digits(&d).map(Self::LocalGov),
            found => Err(NumberError::UnknownLength { found }),
        }
    }

    pub fn kind(&self) -> NumberKind {
        match self {
            Self::Individual(_) => NumberKind::Individual,
            Self::Corporate(_) => NumberKind::Corporate,
            Self::LocalGov(_) => NumberKind::LocalGov,
        }
    }
}

impl fmt::Display for AnyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Individual(n) => n.fmt(f),
            Self::Corporate(n) => n.fmt(f),
            Self::LocalGov(n) => n.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_follows_length() {
        assert_eq!(AnyNumber::parse("123456789018").unwrap().kind(), NumberKind::Individual);
        assert_eq!(AnyNumber::parse("7000012050002").unwrap().kind(), NumberKind::Corporate);
        assert_eq!(AnyNumber::parse("131016").unwrap().kind(), NumberKind::LocalGov);
        assert_eq!(AnyNumber::parse("12345").unwrap_err(), NumberError::UnknownLength { found: 5 });
    }
}
