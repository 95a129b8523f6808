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

/// Writes digits as an ASCII string.
pub(crate) fn to_string(d: &[u8]) -> String {
    d.iter().map(|&v| char::from(b'0' + v)).collect()
}

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
