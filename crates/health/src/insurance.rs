//! Eligibility (資格情報) as an insurer registers it: who insures the person, under which
//! symbol and number, how much they pay at the counter, their high-cost-care limit, and from
//! when to when. A change of insurer ends the old record the day before the new one starts.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::ymd;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EligibilityError {
    #[error(
        "insurer number {0:?}: 8 digits (法別番号 2, 都道府県 2, 保険者別番号 3, 検証番号 1), or 6 for 国民健康保険"
    )]
    InsurerForm(String),
    #[error("insurer number {got}: the check digit should be {want}")]
    InsurerCheck { got: String, want: u8 },
    #[error("{field}: {reason}")]
    Field { field: &'static str, reason: String },
    #[error("valid_to {to} is before valid_from {from}")]
    Period { from: String, to: String },
}

fn field(field: &'static str, reason: impl Into<String>) -> EligibilityError {
    EligibilityError::Field { field, reason: reason.into() }
}

/// 保険者番号: 8 digits, or 6 for a municipality's national health insurance, the last being a
/// check digit: from the right of the others, weights 2, 1, 2, 1 …, the digits of the products
/// summed, and the check is what brings the sum to a multiple of 10.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InsurerNumber(String);

impl InsurerNumber {
    pub fn parse(s: &str) -> Result<Self, EligibilityError> {
        let s = s.trim();
        if !(s.len() == 8 || s.len() == 6) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EligibilityError::InsurerForm(s.chars().take(20).collect()));
        }
        let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                let p = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
                p / 10 + p % 10
            })
            .sum();
        let want = ((10 - sum % 10) % 10) as u8;
        if check[0] != want {
            return Err(EligibilityError::InsurerCheck { got: s.to_string(), want });
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scheme, from the 法別番号 (the first two digits of an 8-digit number).
    pub fn scheme_ja(&self) -> &'static str {
        if self.0.len() == 6 {
            return "国民健康保険";
        }
        match &self.0[..2] {
            "01" => "全国健康保険協会（協会けんぽ）",
            "02" => "船員保険",
            "06" => "健康保険組合",
            "31" | "32" | "33" | "34" => "共済組合",
            "39" => "後期高齢者医療",
            "63" | "72" | "73" | "74" | "75" => "特例退職被保険者",
            _ => "その他の医療保険",
        }
    }
}

impl TryFrom<String> for InsurerNumber {
    type Error = EligibilityError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<InsurerNumber> for String {
    fn from(n: InsurerNumber) -> String {
        n.0
    }
}

impl std::fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 枝番: two digits, one per member of a household on the same card number (2021 onward).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Branch(u8);

impl Branch {
    pub fn parse(s: &str) -> Result<Self, EligibilityError> {
        let s = s.trim();
        if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(field(
                "branch",
                format!("枝番 is two digits such as 00 or 01, got {:?}", s.chars().take(10).collect::<String>()),
            ));
        }
        Ok(Self(s.parse().map_err(|_| field("branch", "not a number"))?))
    }
}

impl TryFrom<String> for Branch {
    type Error = EligibilityError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Branch> for String {
    fn from(b: Branch) -> String {
        format!("{:02}", b.0)
    }
}

impl std::fmt::Display for Branch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// The share paid at the counter (一部負担金の割合): 1, 2 or 3 tenths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Copay(u8);

impl Copay {
    pub fn percent(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Copay {
    type Error = EligibilityError;
    fn try_from(p: u8) -> Result<Self, Self::Error> {
        match p {
            10 | 20 | 30 => Ok(Self(p)),
            _ => Err(field("copay_percent", format!("the counter share is 10, 20 or 30 percent, got {p}"))),
        }
    }
}

impl From<Copay> for u8 {
    fn from(c: Copay) -> u8 {
        c.0
    }
}

/// 限度額適用区分: the high-cost-care limit category, which the facility applies at the
/// counter instead of asking for a paper 限度額適用認定証.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LimitCategory {
    /// Under 70, by income: ア (highest) … オ (non-taxable).
    #[serde(rename = "ア")]
    A,
    #[serde(rename = "イ")]
    I,
    #[serde(rename = "ウ")]
    U,
    #[serde(rename = "エ")]
    E,
    #[serde(rename = "オ")]
    O,
    /// 70 and over.
    #[serde(rename = "現役並みⅢ")]
    Active3,
    #[serde(rename = "現役並みⅡ")]
    Active2,
    #[serde(rename = "現役並みⅠ")]
    Active1,
    #[serde(rename = "一般")]
    General,
    #[serde(rename = "低所得Ⅱ")]
    Low2,
    #[serde(rename = "低所得Ⅰ")]
    Low1,
}

impl LimitCategory {
    /// The monthly limit as the rule writes it (yen, with the part above the base, if any).
    pub fn monthly_limit_ja(self) -> &'static str {
        match self {
            Self::A => "252,600円＋（医療費−842,000円）×1%",
            Self::I => "167,400円＋（医療費−558,000円）×1%",
            Self::U => "80,100円＋（医療費−267,000円）×1%",
            Self::E => "57,600円",
            Self::O => "35,400円",
            Self::Active3 => "252,600円＋（医療費−842,000円）×1%",
            Self::Active2 => "167,400円＋（医療費−558,000円）×1%",
            Self::Active1 => "80,100円＋（医療費−267,000円）×1%",
            Self::General => "57,600円（外来 18,000円）",
            Self::Low2 => "24,600円（外来 8,000円）",
            Self::Low1 => "15,000円（外来 8,000円）",
        }
    }

    fn for_seventy_and_over(self) -> bool {
        !matches!(self, Self::A | Self::I | Self::U | Self::E | Self::O)
    }
}

/// One eligibility record as the insurer sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    pub insurer: InsurerNumber,
    /// 記号 (may be empty for some insurers).
    #[serde(default)]
    pub symbol: String,
    /// 番号.
    pub number: String,
    pub branch: Branch,
    /// The insured's name and birth date as the insurer holds them (the facility compares them
    /// with the patient; the individual number is not among them).
    pub name: String,
    pub kana: String,
    #[serde(with = "ymd_serde")]
    pub birth: Date,
    pub copay_percent: Copay,
    pub limit: LimitCategory,
    #[serde(with = "ymd_serde")]
    pub valid_from: Date,
    #[serde(default, with = "ymd_serde_opt")]
    pub valid_to: Option<Date>,
}

/// Whether a record covers a day, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    Current,
    /// Starts later (e.g. a new job from the first of next month).
    NotYetStarted {
        from: Date,
    },
    /// Ended (資格喪失): the last covered day.
    Ended {
        last_day: Date,
    },
}

impl Standing {
    pub fn explain_ja(&self) -> String {
        match self {
            Self::Current => "有効".into(),
            Self::NotYetStarted { from } => format!("資格はまだ始まっていません（{} から有効）", ymd(*from)),
            Self::Ended { last_day } => format!("資格は {} で終了しています（資格喪失）", ymd(*last_day)),
        }
    }

    pub fn explain_en(&self) -> String {
        match self {
            Self::Current => "valid".into(),
            Self::NotYetStarted { from } => format!("not yet started (valid from {})", ymd(*from)),
            Self::Ended { last_day } => format!("ended; the last covered day was {}", ymd(*last_day)),
        }
    }
}

fn text_field(name: &'static str, s: &str, max: usize, allow_empty: bool) -> Result<(), EligibilityError> {
    let n = s.chars().count();
    if (!allow_empty && s.trim().is_empty()) || n > max || s.chars().any(char::is_control) {
        return Err(field(
            name,
            format!("{} of 1–{max} characters on one line", if allow_empty { "empty or" } else { "text" }),
        ));
    }
    Ok(())
}

impl Eligibility {
    /// Checks what serde's types do not: lengths, the period, and the limit category for age.
    pub fn check(&self) -> Result<(), EligibilityError> {
        text_field("symbol", &self.symbol, 20, true)?;
        text_field("number", &self.number, 20, false)?;
        text_field("name", &self.name, 60, false)?;
        text_field("kana", &self.kana, 60, false)?;
        if !self.number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(field("number", "番号 is ASCII letters and digits"));
        }
        if let Some(to) = self.valid_to
            && to < self.valid_from
        {
            return Err(EligibilityError::Period { from: ymd(self.valid_from), to: ymd(to) });
        }
        if self.birth > self.valid_from.max(self.birth) || self.birth.year() < 1880 {
            return Err(field("birth", "not a plausible birth date"));
        }
        let age = crate::age_on(self.birth, self.valid_from);
        if self.limit.for_seventy_and_over()
            && crate::age_on(self.birth, self.valid_to.unwrap_or(self.valid_from)) < 70
            && age < 70
        {
            return Err(field(
                "limit",
                "現役並み/一般/低所得 categories are for people 70 and over; under 70 use ア–オ",
            ));
        }
        Ok(())
    }

    pub fn standing_on(&self, day: Date) -> Standing {
        if day < self.valid_from {
            Standing::NotYetStarted { from: self.valid_from }
        } else if let Some(to) = self.valid_to.filter(|to| day > *to) {
            Standing::Ended { last_day: to }
        } else {
            Standing::Current
        }
    }

    /// The key a paper card carries: insurer, symbol, number, branch.
    pub fn card_key(&self) -> String {
        card_key(&self.insurer, &self.symbol, &self.number, self.branch)
    }
}

/// What a new record does to the ones a person already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The same card from the same day: the insurer corrected it; the old row goes.
    Replace(i64),
    /// An earlier record still open on the new one's first day ends the day before
    /// (転職・保険者の変更: the old 資格 is lost when the new one is gained).
    End { id: i64, record: Eligibility },
}

/// The changes a new record makes to existing ones (`(row id, record)`).
pub fn supersede(new: &Eligibility, existing: &[(i64, Eligibility)]) -> Vec<Change> {
    let mut out = Vec::new();
    for (id, old) in existing {
        if old.card_key() == new.card_key() && old.valid_from == new.valid_from {
            out.push(Change::Replace(*id));
        } else if old.valid_from < new.valid_from && old.valid_to.is_none_or(|t| t >= new.valid_from) {
            let mut ended = old.clone();
            ended.valid_to = new.valid_from.previous_day();
            out.push(Change::End { id: *id, record: ended });
        }
    }
    out
}

/// The record that decides a patient's standing on `day`: the one covering it, else the
/// next to start, else the last to end.
pub fn decisive(records: &[Eligibility], day: Date) -> Option<&Eligibility> {
    records
        .iter()
        .find(|r| r.standing_on(day) == Standing::Current)
        .or_else(|| records.iter().filter(|r| r.valid_from > day).min_by_key(|r| r.valid_from))
        .or_else(|| records.iter().max_by_key(|r| r.valid_to))
}

/// How the registry indexes the card fields (symbols are compared after trimming).
pub fn card_key(insurer: &InsurerNumber, symbol: &str, number: &str, branch: Branch) -> String {
    format!("{insurer}|{}|{}|{branch}", symbol.trim(), number.trim())
}

pub(crate) mod ymd_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::date::ymd(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        crate::parse_date(&s).map_err(serde::de::Error::custom)
    }
}

pub(crate) mod ymd_serde_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&crate::date::ymd(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => crate::parse_date(&s).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    #[test]
    fn insurer_numbers_carry_a_check_digit() {
        // 協会けんぽ 東京支部 and a municipality's 国保 (千代田区 138016 is a real one).
        assert_eq!(InsurerNumber::parse("01130012").unwrap().scheme_ja(), "全国健康保険協会（協会けんぽ）");
        assert_eq!(InsurerNumber::parse("138016").unwrap().scheme_ja(), "国民健康保険");
        assert_eq!(
            InsurerNumber::parse("01130013").unwrap_err(),
            EligibilityError::InsurerCheck { got: "01130013".into(), want: 2 }
        );
        assert!(matches!(InsurerNumber::parse("0113001"), Err(EligibilityError::InsurerForm(_))));
    }

    fn record(from: &str, to: Option<&str>) -> Eligibility {
        serde_json::from_value(serde_json::json!({
            "insurer": "01130012", "symbol": "1234", "number": "5678", "branch": "00", "name": "資格 太郎", "kana": "シカク タロウ",
            "birth": "1980-01-16", "copay_percent": 30, "limit": "ウ", "valid_from": from, "valid_to": to
        }))
        .unwrap()
    }

    #[test]
    fn standing_says_which_side_of_the_period() {
        let r = record("2024-04-01", Some("2025-03-31"));
        r.check().unwrap();
        assert_eq!(r.standing_on(parse_date("2024-04-01").unwrap()), Standing::Current);
        assert_eq!(
            r.standing_on(parse_date("2024-03-31").unwrap()),
            Standing::NotYetStarted { from: parse_date("2024-04-01").unwrap() }
        );
        let ended = r.standing_on(parse_date("2025-04-01").unwrap());
        assert_eq!(ended, Standing::Ended { last_day: parse_date("2025-03-31").unwrap() });
        assert!(ended.explain_ja().contains("2025-03-31"));
    }

    #[test]
    fn a_new_insurer_ends_the_old_record_the_day_before() {
        let old = record("2020-04-01", None);
        let mut new = record("2025-10-01", None);
        new.insurer = InsurerNumber::parse("138016").unwrap();
        let changes = supersede(&new, &[(7, old.clone())]);
        let Change::End { id: 7, record } = &changes[0] else { panic!("{changes:?}") };
        assert_eq!(record.valid_to, Some(parse_date("2025-09-30").unwrap()));
        let both = [record.clone(), new.clone()];
        assert_eq!(decisive(&both, parse_date("2025-09-30").unwrap()).unwrap().insurer.as_str(), "01130012");
        assert_eq!(decisive(&both, parse_date("2025-10-01").unwrap()).unwrap().insurer.as_str(), "138016");
        // The same card from the same day is a correction.
        assert_eq!(supersede(&old, &[(3, old.clone())]), vec![Change::Replace(3)]);
    }

    #[test]
    fn bad_records_are_refused_with_the_field() {
        let mut r = record("2024-04-01", Some("2024-03-01"));
        assert!(matches!(r.check(), Err(EligibilityError::Period { .. })));
        r.valid_to = None;
        r.limit = LimitCategory::Low1;
        assert!(r.check().unwrap_err().to_string().contains("70 and over"));
        let bad = serde_json::from_value::<Eligibility>(
            serde_json::json!({"insurer": "01130012", "number": "1", "branch": "0", "name": "a", "kana": "a", "birth": "1980-01-01", "copay_percent": 30, "limit": "ウ", "valid_from": "2024-01-01"}),
        );
        assert!(bad.unwrap_err().to_string().contains("枝番"));
        let bad = serde_json::from_value::<Eligibility>(
            serde_json::json!({"insurer": "01130012", "number": "1", "branch": "00", "name": "a", "kana": "a", "birth": "1980-01-01", "copay_percent": 25, "limit": "ウ", "valid_from": "2024-01-01"}),
        );
        assert!(bad.unwrap_err().to_string().contains("10, 20 or 30"));
    }
}
