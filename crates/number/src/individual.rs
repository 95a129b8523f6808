use std::fmt;

use crate::{
    digits::digit_number,
    error::{NumberError, NumberKind},
};

/// A valid individual number (個人番号): 11 digits and a check digit (総務省令第85号 Art. 5).
///
/// The value is sensitive: `Debug` masks all but the last 4 digits so it never lands in a log
/// by accident; use [`IndividualNumber::as_str`] where the full number is meant to be shown.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndividualNumber([u8; 12]);

impl IndividualNumber {
    /// Check digit for an 11-digit body, given left to right.
    pub fn check_digit(body: &[u8; 11]) -> u8 {
        // Weights left to right are 6,5,4,3,2,7,6,5,4,3,2 (Q(n) over digits counted from the right).
        const W: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        let r = body.iter().zip(W).map(|(&d, w)| u32::from(d) * w).sum::<u32>() % 11;
        if r <= 1 { 0 } else { (11 - r) as u8 }
    }

    /// Builds the number from an 11-digit body (each 0–9) by adding the check digit.
    pub(crate) fn from_body(body: [u8; 11]) -> Self {
        let mut d = [0u8; 12];
        d[..11].copy_from_slice(&body);
        d[11] = Self::check_digit(&body);
        Self(d)
    }

    pub(crate) fn from_digits(d: &[u8]) -> Result<Self, NumberError> {
        let arr: [u8; 12] =
            d.try_into().map_err(|_| NumberError::WrongLength { kind: NumberKind::Individual, found: d.len() })?;
        let mut body = [0u8; 11];
        body.copy_from_slice(&arr[..11]);
        let expected = Self::check_digit(&body);
        if expected != arr[11] {
            return Err(NumberError::CheckDigit { kind: NumberKind::Individual, expected, found: arr[11] });
        }
        Ok(Self(arr))
    }

    /// Printed in groups of four, as on the card: `1234 5678 9018`.
    pub fn grouped(&self) -> String {
        let s = self.as_str();
        format!("{} {} {}", &s[0..4], &s[4..8], &s[8..12])
    }

    /// The 11-digit body as an integer (the check digit dropped).
    pub fn body_value(&self) -> u64 {
        crate::digits::value(&self.0[..11])
    }
}

impl fmt::Debug for IndividualNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IndividualNumber(********{})", &self.as_str()[8..])
    }
}

digit_number!(IndividualNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples_validate() {
        for n in ["123456789018", "621498320257", "1234 5678 9018", "１２３４５６７８９０１８"] {
            assert!(n.parse::<IndividualNumber>().is_ok(), "{n}");
        }
    }

    #[test]
    fn wrong_check_digit_names_the_expected_one() {
        assert_eq!(
            "123456789012".parse::<IndividualNumber>().unwrap_err(),
            NumberError::CheckDigit { kind: NumberKind::Individual, expected: 8, found: 2 }
        );
    }

    #[test]
    fn debug_masks_the_number() {
        let n: IndividualNumber = "123456789018".parse().unwrap();
        assert_eq!(format!("{n:?}"), "IndividualNumber(********9018)");
        assert_eq!(n.grouped(), "1234 5678 9018");
    }
}
