//! One field of a form, and the check a value must pass.

use serde::{Deserialize, Serialize};

use crate::Label;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    #[serde(flatten)]
    pub label: Label,
}

/// What a field holds. Each kind carries only the bounds that make sense for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        max: usize,
    },
    LongText {
        max: usize,
    },
    /// Katakana (a reading), full-width; half-width and hiragana are folded in.
    Kana {
        max: usize,
    },
    Date,
    Integer {
        min: i64,
        max: i64,
    },
    Yen,
    /// Exactly `len` ASCII digits (account, insured and card numbers).
    Digits {
        len: usize,
    },
    Phone,
    Choice {
        options: Vec<Choice>,
    },
    /// A declaration that must be ticked.
    Agree,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    #[serde(flatten)]
    pub label: Label,
    #[serde(flatten)]
    pub kind: FieldKind,
    pub required: bool,
    /// `item.field` of the resident's own information this may be filled from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
}

/// Why a value was refused; `message` says it in the resident's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing,
    TooLong { max: usize },
    NotKana,
    NotDate,
    NotInteger,
    OutOfRange { min: i64, max: i64 },
    NotYen,
    NotDigits { len: usize },
    NotPhone,
    NotAnOption,
    MustAgree,
    ControlCharacter,
}

impl Problem {
    pub fn message(&self, english: bool) -> String {
        use Problem::*;
        match (self, english) {
            (Missing, false) => "入力してください。".into(),
            (Missing, true) => "Please fill this in.".into(),
            (TooLong { max }, false) => format!("{max}文字以内で入力してください。"),
            (TooLong { max }, true) => format!("Use at most {max} characters."),
            (NotKana, false) => "カタカナで入力してください。".into(),
            (NotKana, true) => "Write it in katakana.".into(),
            (NotDate, false) => "日付を 2026-06-01 の形で入力してください。".into(),
            (NotDate, true) => "Enter a date like 2026-06-01.".into(),
            (NotInteger, false) => "数字で入力してください。".into(),
            (NotInteger, true) => "Enter a whole number.".into(),
            (OutOfRange { min, max }, false) => format!("{min}から{max}までの数を入力してください。"),
            (OutOfRange { min, max }, true) => format!("Enter a number from {min} to {max}."),
            (NotYen, false) => "金額を円単位の数字で入力してください（例: 2400000）。".into(),
            (NotYen, true) => "Enter an amount in yen, digits only (e.g. 2400000).".into(),
            (NotDigits { len }, false) => format!("{len}桁の数字で入力してください。"),
            (NotDigits { len }, true) => format!("Enter exactly {len} digits."),
            (NotPhone, false) => "電話番号を数字とハイフンで入力してください（例: 03-1234-5678）。".into(),
            (NotPhone, true) => "Enter a phone number with digits and hyphens (e.g. 03-1234-5678).".into(),
            (NotAnOption, false) => "選択肢から選んでください。".into(),
            (NotAnOption, true) => "Choose one of the options.".into(),
            (MustAgree, false) => "内容を確認のうえ、チェックしてください。".into(),
            (MustAgree, true) => "Check the box to confirm.".into(),
            (ControlCharacter, false) => "使用できない制御文字が含まれています。".into(),
            (ControlCharacter, true) => "Contains control characters that cannot be used.".into(),
        }
    }
}

fn fold(s: &str) -> String {
    myna_text::normalize_width(s.trim())
}

impl Field {
    /// Checks one submitted value; returns the value as stored (normalized), or `None` for an
    /// optional field left empty.
    pub fn check(&self, raw: Option<&str>) -> Result<Option<String>, Problem> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return if self.required {
                Err(if matches!(self.kind, FieldKind::Agree) { Problem::MustAgree } else { Problem::Missing })
            } else {
                Ok(None)
            };
        }
        let multiline = matches!(self.kind, FieldKind::LongText { .. });
        if raw.chars().any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
            return Err(Problem::ControlCharacter);
        }
        let within =
            |s: String, max: usize| if s.chars().count() > max { Err(Problem::TooLong { max }) } else { Ok(Some(s)) };
        match &self.kind {
            FieldKind::Text { max } => within(fold(raw), *max),
            FieldKind::LongText { max } => within(raw.replace("\r\n", "\n"), *max),
            FieldKind::Kana { max } => {
                let k = myna_text::to_katakana(&fold(raw));
                if !k.chars().all(|c| matches!(c, '\u{30A0}'..='\u{30FF}' | ' ' | '\u{3000}')) {
                    return Err(Problem::NotKana);
                }
                within(k, *max)
            }
            FieldKind::Date => {
                let f = time::macros::format_description!("[year]-[month]-[day]");
                let s = fold(raw);
                time::Date::parse(&s, f).map(|d| Some(d.to_string())).map_err(|_| Problem::NotDate)
            }
            FieldKind::Integer { min, max } => {
                let n: i64 = fold(raw).parse().map_err(|_| Problem::NotInteger)?;
                if n < *min || n > *max {
                    Err(Problem::OutOfRange { min: *min, max: *max })
                } else {
                    Ok(Some(n.to_string()))
                }
            }
            FieldKind::Yen => {
                let s = fold(raw).replace([',', '円'], "");
                let n: u64 = s.parse().map_err(|_| Problem::NotYen)?;
                if n > 1_000_000_000_000 { Err(Problem::NotYen) } else { Ok(Some(n.to_string())) }
            }
            FieldKind::Digits { len } => {
                let s = fold(raw);
                if s.len() == *len && s.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(Some(s))
                } else {
                    Err(Problem::NotDigits { len: *len })
                }
            }
            FieldKind::Phone => {
                let s = fold(raw).replace(['ー', '－', '‐'], "-");
                let digits = s.bytes().filter(u8::is_ascii_digit).count();
                if (10..=11).contains(&digits)
                    && s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                    && s.starts_with('0')
                {
                    Ok(Some(s))
                } else {
                    Err(Problem::NotPhone)
                }
            }
            FieldKind::Choice { options } => {
                options.iter().find(|o| o.value == raw).map(|o| Some(o.value.clone())).ok_or(Problem::NotAnOption)
            }
            FieldKind::Agree => {
                if raw == "yes" || raw == "on" {
                    Ok(Some("yes".into()))
                } else {
                    Err(Problem::MustAgree)
                }
            }
        }
    }

    /// How a stored value reads on a page (the option's label, not its code).
    pub fn show(&self, value: &str, english: bool) -> String {
        match &self.kind {
            FieldKind::Choice { options } => options
                .iter()
                .find(|o| o.value == value)
                .map(|o| o.label.get(english).to_string())
                .unwrap_or_else(|| value.to_string()),
            FieldKind::Agree => {
                if english {
                    "Yes".into()
                } else {
                    "はい".into()
                }
            }
            FieldKind::Yen => format!("{}{}", myna_text::group_thousands(value), if english { " yen" } else { "円" }),
            _ => value.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind, required: bool) -> Field {
        Field {
            id: "f".into(), label: Label { ja: "項目".into(), en: "Field".into() }, kind, required, prefill: None
        }
    }

    #[test]
    fn values_are_normalized_or_refused_with_the_reason() {
        let kana = field(FieldKind::Kana { max: 10 }, true);
        assert_eq!(kana.check(Some("やまだ ﾀﾛｳ")), Ok(Some("ヤマダ タロウ".into())));
        assert_eq!(kana.check(Some("山田")), Err(Problem::NotKana));
        assert_eq!(kana.check(Some("  ")), Err(Problem::Missing));
        let date = field(FieldKind::Date, true);
        assert_eq!(date.check(Some("２０２６-０６-０１")), Ok(Some("2026-06-01".into())));
        assert_eq!(date.check(Some("2026-02-30")), Err(Problem::NotDate));
        let yen = field(FieldKind::Yen, true);
        assert_eq!(yen.check(Some("2,400,000円")), Ok(Some("2400000".into())));
        assert_eq!(yen.check(Some("-5")), Err(Problem::NotYen));
        assert_eq!(yen.show("2400000", false), "2,400,000円");
        let phone = field(FieldKind::Phone, true);
        assert_eq!(phone.check(Some("03-1234-5678")), Ok(Some("03-1234-5678".into())));
        assert_eq!(phone.check(Some("12345")), Err(Problem::NotPhone));
        let agree = field(FieldKind::Agree, true);
        assert_eq!(agree.check(None), Err(Problem::MustAgree));
        let text = field(FieldKind::Text { max: 3 }, false);
        assert_eq!(text.check(None), Ok(None));
        assert_eq!(text.check(Some("abcd")), Err(Problem::TooLong { max: 3 }));
        assert_eq!(text.check(Some("a\u{0}b")), Err(Problem::ControlCharacter));
        let n = field(FieldKind::Integer { min: 1, max: 10 }, true);
        assert_eq!(n.check(Some("11")), Err(Problem::OutOfRange { min: 1, max: 10 }));
    }
}
