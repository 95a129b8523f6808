use std::fmt;

use crate::{
    digits::digit_number,
    error::{NumberError, NumberKind},
};

/// A valid 6-digit local government code (全国地方公共団体コード, JIS X 0402 + check digit).
/// The first two digits are the prefecture (01 北海道 … 47 沖縄県).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalGovCode([u8; 6]);

impl LocalGovCode {
    pub fn check_digit(body: &[u8; 5]) -> u8 {
        const W: [u32; 5] = [6, 5, 4, 3, 2];
        let s: u32 = body.iter().zip(W).map(|(&d, w)| u32::from(d) * w).sum();
        ((11 - s % 11) % 10) as u8
    }

    /// Builds a code from its 5-digit JIS X 0402 body by adding the check digit.
    pub fn from_body(body: [u8; 5]) -> Self {
        let mut d = [0u8; 6];
        d[..5].copy_from_slice(&body);
        d[5] = Self::check_digit(&body);
        Self(d)
    }

    pub(crate) fn from_digits(d: &[u8]) -> Result<Self, NumberError> {
        let arr: [u8; 6] =
            d.try_into().map_err(|_| NumberError::WrongLength { kind: NumberKind::LocalGov, found: d.len() })?;
        let mut body = [0u8; 5];
        body.copy_from_slice(&arr[..5]);
        let expected = Self::check_digit(&body);
        if expected != arr[5] {
            return Err(NumberError::CheckDigit { kind: NumberKind::LocalGov, expected, found: arr[5] });
        }
        Ok(Self(arr))
    }

    /// The prefecture number, 1–47 (any 2-digit value for a code that passed the check).
    pub fn prefecture(&self) -> u8 {
        self.0[0] * 10 + self.0[1]
    }
}

impl fmt::Debug for LocalGovCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalGovCode({})", self.as_str())
    }
}

digit_number!(LocalGovCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples_validate() {
        for c in ["131016", "011002", "472018"] {
            assert!(c.parse::<LocalGovCode>().is_ok(), "{c}");
        }
        assert_eq!("131016".parse::<LocalGovCode>().unwrap().prefecture(), 13);
    }

    #[test]
    fn wrong_check_digit_is_named() {
        assert_eq!(
            "131015".parse::<LocalGovCode>().unwrap_err(),
            NumberError::CheckDigit { kind: NumberKind::LocalGov, expected: 6, found: 5 }
        );
    }
}
