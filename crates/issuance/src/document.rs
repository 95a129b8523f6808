//! An issued document: what is printed and what its signed code carries, the same content.

use serde::{Deserialize, Serialize};

use crate::DocKind;

/// Who issued a document: the municipality (its local government code) and the title its
/// head signs with (千代田区長).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    pub code: String,
    pub name: String,
}

/// Where it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "at", content = "place")]
pub enum Channel {
    /// A store's kiosk, by the kiosk's id.
    Kiosk(String),
    /// The municipality's counter, by the clerk's account.
    Counter(String),
}

/// A person as the document names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// YYYY-MM-DD.
    pub birth: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// 続柄, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// The individual number, only when asked for and allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// One printed line beside the people: a label and its value (住所, 本籍, 所得金額 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    pub value: String,
}

/// The document. Its serial is unique per issuer; the signed code carries all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub serial: String,
    pub kind: DocKind,
    pub issuer: Issuer,
    /// Unix seconds.
    pub issued_at: i64,
    pub channel: Channel,
    /// The resident who asked, first; then the household members the document covers.
    pub people: Vec<Person>,
    pub lines: Vec<Line>,
}

impl Document {
    /// When it was issued, in JST as 令和 dates are written: 令和8年12月7日 08:37.
    pub fn issued_jst(&self) -> String {
        match time::OffsetDateTime::from_unix_timestamp(self.issued_at) {
            Ok(t) => {
                let t = t.to_offset(crate::JST);
                format!(
                    "{} {:02}:{:02}",
                    myna_text::wareki(t.year(), u8::from(t.month()), t.day()),
                    t.hour(),
                    t.minute()
                )
            }
            Err(_) => self.issued_at.to_string(),
        }
    }
}
