//! The basic 4 items, each a type that is only ever valid.

use std::fmt;

use myna_text::{
    address::{Level, NormalizedAddress, normalize},
    name_key, normalize_width, to_katakana,
};
use time::{Date, Month};

/// Longest name the registry accepts, in characters (real names are far shorter; the limit
/// keeps absurd input out).
const MAX_NAME: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name has {0} characters; at most {MAX_NAME} are accepted")]
    TooLong(usize),
    #[error("the name contains a control character")]
    Control,
    #[error("the reading (kana) must be katakana or hiragana, found {0:?}")]
    NotKana(char),
    #[error("the reading (kana) is empty")]
    EmptyKana,
}

/// Name in kanji (as registered) and its reading in katakana.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PersonName {
    /// 氏名, as written in the register (family name, a space, given name).
    pub kanji: String,
    /// 読み仮名 in full-width katakana.
    pub kana: String,
}

fn clean_name(s: &str) -> Result<String, NameError> {
    if s.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    // Width-normalize but keep one space between family and given name.
    let s = normalize_width(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(NameError::Empty);
    }
    let n = s.chars().count();
    if n > MAX_NAME {
        return Err(NameError::TooLong(n));
    }
    Ok(s)
}

impl PersonName {
    pub fn new(kanji: &str, kana: &str) -> Result<Self, NameError> {
        let kanji = clean_name(kanji)?;
        let kana =
            to_katakana(&clean_name(kana).map_err(|e| if e == NameError::Empty { NameError::EmptyKana } else { e })?);
        if let Some(c) = kana.chars().find(|&c| !matches!(c, '\u{30A0}'..='\u{30FF}' | ' ')) {
            return Err(NameError::NotKana(c));
        }
        Ok(Self { kanji, kana })
    }

    /// The key under which spellings of this name match (width, spaces, old forms).
    pub fn key(&self) -> String {
        name_key(&self.kanji)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kanji)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "male" | "m" | "M" | "1" | "男" => Some(Sex::Male),
            "female" | "f" | "F" | "2" | "女" => Some(Sex::Female),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{0:?} is not a date in the form YYYY-MM-DD")]
    Format(String),
    #[error("{year}-{month:02}-{day:02} does not exist (that month has no day {day})")]
    NoSuchDay { year: i32, month: u8, day: u8 },
    #[error("month {0} does not exist")]
    NoSuchMonth(u8),
    #[error("{date} is in the future (today is {today})")]
    Future { date: Date, today: Date },
    #[error("{0} is before 1870, earlier than any living person's birth")]
    TooOld(Date),
}

/// A date of birth that exists and is not in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BirthDate(Date);

/// Parses `YYYY-MM-DD` (also with full-width digits or / separators) into a real date.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let s = normalize_width(s);
    let parts: Vec<&str> = s.trim().split(['-', '/']).collect();
    let [y, m, d] = parts[..] else { return Err(DateError::Format(s.chars().take(40).collect())) };
    let fmt_err = || DateError::Format(s.chars().take(40).collect());
    let year: i32 = y.parse().map_err(|_| fmt_err())?;
    let month: u8 = m.parse().map_err(|_| fmt_err())?;
    let day: u8 = d.parse().map_err(|_| fmt_err())?;
    if y.len() != 4 {
        return Err(fmt_err());
    }
    let mon = Month::try_from(month).map_err(|_| DateError::NoSuchMonth(month))?;
    Date::from_calendar_date(year, mon, day).map_err(|_| DateError::NoSuchDay { year, month, day })
}

impl BirthDate {
    pub fn new(date: Date, today: Date) -> Result<Self, DateError> {
        if date > today {
            return Err(DateError::Future { date, today });
        }
        if date.year() < 1870 {
            return Err(DateError::TooOld(date));
        }
        Ok(Self(date))
    }

    pub fn parse(s: &str, today: Date) -> Result<Self, DateError> {
        Self::new(parse_date(s)?, today)
    }

    pub fn date(&self) -> Date {
        self.0
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i32 {
        let mut age = on.year() - self.0.year();
        if (on.month() as u8, on.day()) < (self.0.month() as u8, self.0.day()) {
            age -= 1;
        }
        age
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), self.0.month() as u8, self.0.day())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("the address is empty")]
    Empty,
    #[error("no municipality of Japan recognised in {0:?}")]
    UnknownMunicipality(String),
    #[error("{input:?} names a municipality that several prefectures share ({candidates}); add the prefecture")]
    Ambiguous { input: String, candidates: String },
    #[error("the address is {0} characters long; at most 200 are accepted")]
    TooLong(usize),
}

/// An address inside a known municipality, in normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(NormalizedAddress);

impl Address {
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let n = s.chars().count();
        if n > 200 {
            return Err(AddressError::TooLong(n));
        }
        if s.trim().is_empty() {
            return Err(AddressError::Empty);
        }
        let a = normalize(s);
        if !a.ambiguous.is_empty() {
            return Err(AddressError::Ambiguous { input: s.to_string(), candidates: a.ambiguous.join(", ") });
        }
        if a.level < Level::Municipality {
            return Err(AddressError::UnknownMunicipality(s.to_string()));
        }
        Ok(Self(a))
    }

    pub fn normalized(&self) -> &NormalizedAddress {
        &self.0
    }

    pub fn lg_code(&self) -> &str {
        self.0.lg_code.as_deref().unwrap_or_default()
    }

    /// The address as one line.
    pub fn line(&self) -> String {
        self.0.to_line()
    }

    /// What must agree for two spellings to be the same address (see
    /// [`NormalizedAddress::match_key`]).
    pub fn match_key(&self) -> String {
        self.0.match_key()
    }
}

/// Relationship to the head of household (続柄).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Grandparent,
    Sibling,
    ChildsSpouse,
    Other,
}

impl Relationship {
    /// The term printed on a certificate of residence.
    pub fn label_ja(self) -> &'static str {
        match self {
            Relationship::Head => "世帯主",
            Relationship::Spouse => "配偶者",
            Relationship::Child => "子",
            Relationship::Parent => "父母",
            Relationship::Grandchild => "孫",
            Relationship::Grandparent => "祖父母",
            Relationship::Sibling => "兄弟姉妹",
            Relationship::ChildsSpouse => "子の配偶者",
            Relationship::Other => "同居人",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Head => "head",
            Relationship::Spouse => "spouse",
            Relationship::Child => "child",
            Relationship::Parent => "parent",
            Relationship::Grandchild => "grandchild",
            Relationship::Grandparent => "grandparent",
            Relationship::Sibling => "sibling",
            Relationship::ChildsSpouse => "childs_spouse",
            Relationship::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Head,
            Self::Spouse,
            Self::Child,
            Self::Parent,
            Self::Grandchild,
            Self::Grandparent,
            Self::Sibling,
            Self::ChildsSpouse,
            Self::Other,
        ]
        .into_iter()
        .find(|r| r.as_str() == s || r.label_ja() == s)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 21);

    #[test]
    fn impossible_and_future_dates_are_refused() {
        assert_eq!(BirthDate::parse("2023-02-30", TODAY), Err(DateError::NoSuchDay { year: 2023, month: 2, day: 30 }));
        assert_eq!(BirthDate::parse("2023-13-01", TODAY), Err(DateError::NoSuchMonth(13)));
        assert!(matches!(BirthDate::parse("2030-01-01", TODAY), Err(DateError::Future { .. })));
        assert!(matches!(BirthDate::parse("yesterday", TODAY), Err(DateError::Format(_))));
        assert_eq!(BirthDate::parse("２０２４/０２/２９", TODAY).unwrap().to_string(), "2024-02-29");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(PersonName::new("  ", "ヤマダ"), Err(NameError::Empty));
        assert!(matches!(PersonName::new(&"山".repeat(61), "ヤマ"), Err(NameError::TooLong(61))));
        assert_eq!(PersonName::new("山田 太郎", "Yamada"), Err(NameError::NotKana('Y')));
        let n = PersonName::new("山田　太郎", "やまだ　たろう").unwrap();
        assert_eq!((n.kanji.as_str(), n.kana.as_str()), ("山田 太郎", "ヤマダ タロウ"));
    }

    #[test]
    fn address_variants_share_a_key() {
        let a = Address::parse("東京都千代田区霞が関2丁目1番地2号").unwrap();
        let b = Address::parse("千代田区霞ヶ関2-1-2 中央合同庁舎").unwrap();
        assert_eq!(a.match_key(), b.match_key());
        assert!(matches!(Address::parse("伊達市1-1"), Err(AddressError::Ambiguous { .. })));
        assert!(matches!(Address::parse("火星市1-1"), Err(AddressError::UnknownMunicipality(_))));
    }

    #[test]
    fn age_counts_birthdays() {
        let b = BirthDate::parse("2000-11-22", TODAY).unwrap();
        assert_eq!(b.age_on(TODAY), 25);
    }
}
