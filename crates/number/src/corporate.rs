use std::fmt;

use crate::{
    digits::digit_number,
    error::{NumberError, NumberKind},
};

/// A valid corporate number (法人番号): a check digit FIRST, then a 12-digit base. Public.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CorporateNumber([u8; 13]);

impl CorporateNumber {
    /// Check digit (1–9) for a 12-digit base given left to right.
    pub fn check_digit(base: &[u8; 12]) -> u8 {
        // Counted from the right, odd positions weigh 1 and even 2; left to right that is 2,1,2,1…
        let s: u32 = base.iter().enumerate().map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 2 } else { 1 }).sum();
        (9 - s % 9) as u8
    }

    pub fn from_base(base: [u8; 12]) -> Self {
        let mut d = [0u8; 13];
        d[0] = Self::check_digit(&base);
        d[1..].copy_from_slice(&base);
        Self(d)
    }

    pub(crate) fn from_digits(d: &[u8]) -> Result<Self, NumberError> {
        let arr: [u8; 13] =
            d.try_into().map_err(|_| NumberError::WrongLength { kind: NumberKind::Corporate, found: d.len() })?;
        let mut base = [0u8; 12];
        base.copy_from_slice(&arr[1..]);
        if arr[0] == 0 {
            return Err(NumberError::CorporateCheckZero);
        }
        let expected = Self::check_digit(&base);
        if expected != arr[0] {
            return Err(NumberError::CheckDigit { kind: NumberKind::Corporate, expected, found: arr[0] });
        }
        Ok(Self(arr))
    }
}

impl fmt::Debug for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CorporateNumber({})", self.as_str())
    }
}

digit_number!(CorporateNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples_validate() {
        assert!("7000012050002".parse::<CorporateNumber>().is_ok());
        assert!("5835678256246".parse::<CorporateNumber>().is_ok());
    }

    #[test]
    fn wrong_check_digit_is_named() {
        assert_eq!(
            "1000012050002".parse::<CorporateNumber>().unwrap_err(),
            NumberError::CheckDigit { kind: NumberKind::Corporate, expected: 7, found: 1 }
        );
    }
}
