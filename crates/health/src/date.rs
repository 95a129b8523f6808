//! Dates as the forms write them (YYYY-MM-DD), and age in full years (年齢計算ニ関スル法律:
//! one becomes a year older on the day before the birthday; for consent rules the birthday
//! itself is what people expect, and what the reader's screen uses).

use time::{Date, macros::format_description};

/// Parses `YYYY-MM-DD`, saying what was expected.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{:?} is not a date in the form YYYY-MM-DD", s.chars().take(20).collect::<String>()))
}

/// Full years from `birth` to `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

pub(crate) fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_turns_on_the_birthday() {
        let b = parse_date("1980-07-04").unwrap();
        assert_eq!(age_on(b, parse_date("2020-07-03").unwrap()), 39);
        assert_eq!(age_on(b, parse_date("2020-07-04").unwrap()), 40);
        assert!(parse_date("2020-13-01").unwrap_err().contains("YYYY-MM-DD"));
    }
}
