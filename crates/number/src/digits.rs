//! Turning what a person typed into a list of digit values.

use crate::error::NumberError;

/// Separators people put between digit groups; they carry no meaning and are dropped.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}'
            | '\t'
            | '-'
            | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2212}'
            | '\u{FF0D}'
            | '\u{30FC}'
            | '\u{FF70}'
    )
}

/// Digits of `input` as values 0–9, with ASCII and full-width digits accepted and
/// separators dropped. `position` in an error is 1-based over the characters as given.
pub(crate) fn digits(input: &str) -> Result<Vec<u8>, NumberError> {
    let mut out = Vec::with_capacity(16);
    for (i, c) in input.trim().chars().enumerate() {
        match c {
            '0'..='9' => out.push(c as u8 - b'0'),
            '\u{FF10}'..='\u{FF19}' => out.push((c as u32 - 0xFF10) as u8),
            c if is_separator(c) => {}
            found => return Err(NumberError::NotADigit { position: i + 1, found }),
        }
    }
    if out.is_empty() {
        return Err(NumberError::Empty);
    }
    Ok(out)
}

/// Writes digit values (0–9) as an ASCII string.
pub fn to_string(d: &[u8]) -> String {
    d.iter().map(|&v| char::from(b'0' + v)).collect()
}

/// Reads digit values (0–9) as one integer; leading zeros vanish.
pub fn value(d: &[u8]) -> u64 {
    d.iter().fold(0u64, |acc, &v| acc * 10 + u64::from(v))
}

/// The parts every number type shares: `as_str`, `FromStr` (through `from_digits`),
/// `Display`, and serde as a string of digits (validated on the way in).
macro_rules! digit_number {
    ($t:ident) => {
        impl $t {
            /// The digits, no separators.
            pub fn as_str(&self) -> String {
                $crate::digits::to_string(&self.0)
            }

            /// The digits read as one integer (leading zeros vanish: format back with the
            /// type's width), for storage as a number rather than text.
            pub fn value(&self) -> u64 {
                $crate::digits::value(&self.0)
            }
        }

        impl std::str::FromStr for $t {
            type Err = $crate::NumberError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_digits(&$crate::digits::digits(s)?)
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.as_str())
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use digit_number;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_full_width_and_separators() {
        assert_eq!(digits("１２ 3-4").unwrap(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn names_the_offending_character() {
        assert_eq!(digits("12a4").unwrap_err(), NumberError::NotADigit { position: 3, found: 'a' });
        assert_eq!(digits("  - ").unwrap_err(), NumberError::Empty);
    }
}
