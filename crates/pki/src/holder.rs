//! The holder's basic 4 items as the signing certificate carries them, and the validity rules
//! (certificate until the 5th birthday after issue; card until the 10th, or the 5th for minors).

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::PkiError;

/// Sex as the certificate encodes it (住民票の続柄 codes are elsewhere): "1", "2" or "3".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    NotStated,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::NotStated => "3",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            "3" => Some(Sex::NotStated),
            _ => None,
        }
    }
}

/// Name, birth date, sex and address, as written in the signing certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    pub birth: Date,
    pub sex: Sex,
    pub address: String,
}

/// Longest name or address the profile accepts (characters); the registry's own limits are
/// shorter, so this only stops garbage.
const MAX_CHARS: usize = 200;

impl Holder {
    pub fn new(name: &str, birth: Date, sex: Sex, address: &str) -> Result<Self, PkiError> {
        for (what, v) in [("name", name), ("address", address)] {
            if v.trim().is_empty() {
                return Err(PkiError::Holder(format!("the {what} is empty")));
            }
            if v.chars().count() > MAX_CHARS {
                return Err(PkiError::Holder(format!("the {what} is longer than {MAX_CHARS} characters")));
            }
            if v.chars().any(char::is_control) {
                return Err(PkiError::Holder(format!("the {what} contains control characters")));
            }
        }
        Ok(Self { name: name.to_owned(), birth, sex, address: address.to_owned() })
    }

    /// Birth date as the certificate writes it: `YYYYMMDD`.
    pub fn birth_code(&self) -> String {
        format!("{:04}{:02}{:02}", self.birth.year(), u8::from(self.birth.month()), self.birth.day())
    }

    /// Parses `YYYYMMDD`.
    pub fn parse_birth(s: &str) -> Option<Date> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let y: i32 = s[..4].parse().ok()?;
        let m: u8 = s[4..6].parse().ok()?;
        let d: u8 = s[6..].parse().ok()?;
        Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
    }

    /// Age in whole years on `day`.
    pub fn age_on(&self, day: Date) -> i32 {
        let mut age = day.year() - self.birth.year();
        if (u8::from(day.month()), day.day()) < (u8::from(self.birth.month()), self.birth.day()) {
            age -= 1;
        }
        age
    }
}

/// The `n`th birthday strictly after `issued` (a birthday on the issue day does not count).
/// Someone born on 29 February has their birthday on 28 February in other years.
pub fn nth_birthday_after(birth: Date, issued: Date, n: u32) -> Date {
    let on = |year: i32| {
        Date::from_calendar_date(year, birth.month(), birth.day())
            .or_else(|_| Date::from_calendar_date(year, birth.month(), 28))
            .unwrap_or(issued)
    };
    let mut year = issued.year();
    if on(year) <= issued {
        year += 1;
    }
    on(year + n as i32 - 1)
}

/// Last day a certificate issued on `issued` is valid: the holder's 5th birthday after issue.
pub fn certificate_until(birth: Date, issued: Date) -> Date {
    nth_birthday_after(birth, issued, 5)
}

/// Last day of the card: the 10th birthday after issue, or the 5th if the holder is under 18.
pub fn card_until(holder: &Holder, issued: Date) -> Date {
    let n = if holder.age_on(issued) < 18 { 5 } else { 10 };
    nth_birthday_after(holder.birth, issued, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn fifth_birthday_after_issue() {
        // Issued before this year's birthday: the first counted birthday is this year's.
        assert_eq!(certificate_until(date!(1990 - 06 - 15), date!(2026 - 03 - 01)), date!(2030 - 06 - 15));
        // Issued on the birthday itself: that one does not count.
        assert_eq!(certificate_until(date!(1990 - 06 - 15), date!(2026 - 06 - 15)), date!(2031 - 06 - 15));
        // Leap-day births fall back to 28 February.
        assert_eq!(certificate_until(date!(2000 - 02 - 29), date!(2026 - 03 - 01)), date!(2031 - 02 - 28));
    }

    #[test]
    fn card_is_shorter_for_minors() {
        let adult = Holder::new("山田太郎", date!(1990 - 06 - 15), Sex::Male, "東京都千代田区").unwrap();
        let child = Holder::new("山田花子", date!(2015 - 06 - 15), Sex::Female, "東京都千代田区").unwrap();
        assert_eq!(card_until(&adult, date!(2026 - 03 - 01)), date!(2035 - 06 - 15));
        assert_eq!(card_until(&child, date!(2026 - 03 - 01)), date!(2030 - 06 - 15));
    }

    #[test]
    fn holder_fields_are_checked() {
        assert!(Holder::new(" ", date!(1990 - 01 - 01), Sex::Male, "x").is_err());
        assert!(Holder::new("a\u{7}", date!(1990 - 01 - 01), Sex::Male, "x").is_err());
        assert_eq!(Holder::parse_birth("19900615"), Some(date!(1990 - 06 - 15)));
        assert_eq!(Holder::parse_birth("19901315"), None);
    }
}
