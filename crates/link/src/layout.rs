//! The data standard layout (データ標準レイアウト): each information item's schema, by version,
//! loaded from `data/layouts.json` (data, not code). Providers check a copy against it before
//! they keep or send it; requesters check what they receive.
//!
//! Compatibility: versions are MAJOR.MINOR. A minor revision only adds optional fields, so an
//! answer of version a.b serves a request for a.c when b ≥ c; a major revision breaks.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::InfoItem;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("a layout version is MAJOR.MINOR (e.g. 1.0), got {0:?}")]
    BadVersion(String),
    #[error("no layout {item} version {version}")]
    Unknown { item: &'static str, version: Version },
    #[error("the layout file: {0}")]
    File(String),
    #[error("{item} {version}: {path}: {reason}")]
    Invalid { item: &'static str, version: Version, path: String, reason: String },
    #[error(
        "an answer of {item} {answer} cannot serve a request for {asked} (major versions differ or the answer is older)"
    )]
    Incompatible { item: &'static str, asked: Version, answer: Version },
}

/// A layout version, MAJOR.MINOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

impl Version {
    /// Whether an answer of version `self` serves a request for `asked`.
    pub fn serves(self, asked: Version) -> bool {
        self.major == asked.major && self.minor >= asked.minor
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Version {
    type Err = LayoutError;
    fn from_str(s: &str) -> Result<Self, LayoutError> {
        let bad = || LayoutError::BadVersion(s.chars().take(20).collect());
        let (a, b) = s.split_once('.').ok_or_else(bad)?;
        let num = |x: &str| {
            if x.is_empty() || x.len() > 4 || !x.bytes().all(|c| c.is_ascii_digit()) { None } else { x.parse().ok() }
        };
        Ok(Self { major: num(a).ok_or_else(bad)?, minor: num(b).ok_or_else(bad)? })
    }
}

impl TryFrom<String> for Version {
    type Error = LayoutError;
    fn try_from(s: String) -> Result<Self, LayoutError> {
        s.parse()
    }
}

impl From<Version> for String {
    fn from(v: Version) -> String {
        v.to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Text,
    Integer,
    Yen,
    Date,
    Boolean,
    List,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    kind: Kind,
    pub required: bool,
    /// The field's name in Japanese, for screens.
    pub ja: String,
    #[serde(default)]
    fields: Vec<Field>,
}

impl Field {
    /// Whether the field is an amount in yen (for screens: ¥816,000).
    pub fn is_yen(&self) -> bool {
        self.kind == Kind::Yen
    }

    /// The fields of each element, for a list.
    pub fn sub_fields(&self) -> &[Field] {
        &self.fields
    }
}

#[derive(Debug, Clone, Deserialize)]
struct FileLayout {
    item: String,
    version: Version,
    #[serde(default)]
    draft: bool,
    fields: Vec<Field>,
}

#[derive(Deserialize)]
struct File {
    layouts: Vec<FileLayout>,
}

/// Every item's layouts, by version.
#[derive(Debug, Clone)]
pub struct Layouts {
    by_item: BTreeMap<(InfoItem, Version), Vec<Field>>,
    drafts: Vec<(InfoItem, Version)>,
}

const SHIPPED: &str = include_str!("../data/layouts.json");
const MAX_TEXT: usize = 1000;
const MAX_LIST: usize = 100;

impl Layouts {
    pub fn shipped() -> Result<Self, LayoutError> {
        Self::parse(SHIPPED)
    }

    pub fn parse(json: &str) -> Result<Self, LayoutError> {
        let file: File = serde_json::from_str(json).map_err(|e| LayoutError::File(e.to_string()))?;
        let mut by_item = BTreeMap::new();
        let mut drafts = Vec::new();
        for l in file.layouts {
            let item: InfoItem = l.item.parse().map_err(|e: crate::TableError| LayoutError::File(e.to_string()))?;
            if l.draft {
                drafts.push((item, l.version));
            }
            if by_item.insert((item, l.version), l.fields).is_some() {
                return Err(LayoutError::File(format!("{} {} is given twice", l.item, l.version)));
            }
        }
        Ok(Self { by_item, drafts })
    }

    pub fn fields(&self, item: InfoItem, version: Version) -> Result<&[Field], LayoutError> {
        self.by_item.get(&(item, version)).map(Vec::as_slice).ok_or(LayoutError::Unknown { item: item.id(), version })
    }

    /// The newest version of `item` in force (drafts are used only when asked for).
    pub fn latest(&self, item: InfoItem) -> Option<Version> {
        self.by_item.keys().filter(|k| k.0 == item && !self.drafts.contains(k)).map(|(_, v)| *v).max()
    }

    /// The versions of `item`, oldest first.
    pub fn versions(&self, item: InfoItem) -> Vec<Version> {
        self.by_item.keys().filter(|(i, _)| *i == item).map(|(_, v)| *v).collect()
    }

    /// Checks that an answer of `answer`'s version may serve a request for `asked`, and that
    /// both versions exist.
    pub fn compatible(&self, item: InfoItem, asked: Version, answer: Version) -> Result<(), LayoutError> {
        self.fields(item, asked)?;
        self.fields(item, answer)?;
        if answer.serves(asked) { Ok(()) } else { Err(LayoutError::Incompatible { item: item.id(), asked, answer }) }
    }

    /// Checks `value` against `item`'s layout `version`: every required field present, no field
    /// the layout does not name, each of its type.
    pub fn validate(&self, item: InfoItem, version: Version, value: &Value) -> Result<(), LayoutError> {
        let fields = self.fields(item, version)?;
        check_object(fields, value, "").map_err(|(path, reason)| LayoutError::Invalid {
            item: item.id(),
            version,
            path: if path.is_empty() { "(the answer)".into() } else { path },
            reason,
        })
    }
}

fn check_object(fields: &[Field], value: &Value, at: &str) -> Result<(), (String, String)> {
    let Value::Object(map) = value else {
        return Err((at.to_string(), "must be an object".into()));
    };
    for key in map.keys() {
        if !fields.iter().any(|f| &f.name == key) {
            return Err((join(at, key), "is not a field of this layout".into()));
        }
    }
    for f in fields {
        let path = join(at, &f.name);
        match map.get(&f.name) {
            None | Some(Value::Null) if f.required => return Err((path, format!("is required ({})", f.ja))),
            None | Some(Value::Null) => {}
            Some(v) => check_value(f, v, &path)?,
        }
    }
    Ok(())
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.chars().take(64).collect()
    } else {
        format!("{at}.{}", key.chars().take(64).collect::<String>())
    }
}

fn check_value(f: &Field, v: &Value, path: &str) -> Result<(), (String, String)> {
    let fail = |what: &str| Err((path.to_string(), format!("must be {what}")));
    match f.kind {
        Kind::Text => match v.as_str() {
            Some(s) if s.chars().count() <= MAX_TEXT => Ok(()),
            _ => fail(&format!("text of at most {MAX_TEXT} characters")),
        },
        Kind::Integer => {
            if v.is_i64() {
                Ok(())
            } else {
                fail("an integer")
            }
        }
        Kind::Yen => {
            if v.is_u64() {
                Ok(())
            } else {
                fail("an amount in yen (a whole number, 0 or more)")
            }
        }
        Kind::Boolean => {
            if v.is_boolean() {
                Ok(())
            } else {
                fail("true or false")
            }
        }
        Kind::Date => match v.as_str() {
            Some(s) if time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok() => {
                Ok(())
            }
            _ => fail("a date, YYYY-MM-DD"),
        },
        Kind::List => match v.as_array() {
            Some(items) if items.len() <= MAX_LIST => {
                for (i, item) in items.iter().enumerate() {
                    check_object(&f.fields, item, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            _ => fail(&format!("a list of at most {MAX_LIST}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn every_item_has_a_layout_and_the_file_reads() {
        let l = Layouts::shipped().unwrap();
        for &item in InfoItem::ALL {
            assert!(l.latest(item).is_some(), "{} has no layout", item.id());
        }
        assert_eq!(l.versions(InfoItem::LocalTax), vec![v("1.0"), v("1.1"), v("2.0")]);
        assert_eq!(l.latest(InfoItem::LocalTax), Some(v("1.1")), "2.0 is a draft");
    }

    #[test]
    fn answers_are_checked_field_by_field() {
        let l = Layouts::shipped().unwrap();
        let ok = json!({"fiscal_year": 2026, "taxable_income": 3_200_000, "tax_amount": 182_000, "non_taxable": false});
        l.validate(InfoItem::LocalTax, v("1.0"), &ok).unwrap();
        let cases = [
            (json!({"fiscal_year": 2026, "taxable_income": 1, "tax_amount": 1}), "non_taxable: is required (非課税)"),
            (
                json!({"fiscal_year": 2026, "taxable_income": -5, "tax_amount": 1, "non_taxable": true}),
                "taxable_income: must be an amount in yen",
            ),
            (
                json!({"fiscal_year": "2026", "taxable_income": 1, "tax_amount": 1, "non_taxable": true}),
                "fiscal_year: must be an integer",
            ),
            (
                json!({"fiscal_year": 2026, "taxable_income": 1, "tax_amount": 1, "non_taxable": true, "name": "x"}),
                "name: is not a field",
            ),
            (json!([1]), "(the answer): must be an object"),
        ];
        for (value, want) in cases {
            let e = l.validate(InfoItem::LocalTax, v("1.0"), &value).unwrap_err().to_string();
            assert!(e.contains(want), "{e} should contain {want}");
        }
        let bad_member = json!({"household_head": "山田 太郎", "relationship": "本人",
            "members": [{"name": "山田 花子", "relationship": "妻", "birth": "1990-02-30"}]});
        let e = l.validate(InfoItem::ResidentRecord, v("1.0"), &bad_member).unwrap_err().to_string();
        assert!(e.contains("members[0].birth: must be a date"), "{e}");
    }

    #[test]
    fn a_minor_revision_serves_older_requests_and_a_major_one_does_not() {
        let l = Layouts::shipped().unwrap();
        let item = InfoItem::LocalTax;
        l.compatible(item, v("1.0"), v("1.1")).unwrap();
        l.compatible(item, v("1.1"), v("1.1")).unwrap();
        assert!(matches!(l.compatible(item, v("1.1"), v("1.0")), Err(LayoutError::Incompatible { .. })));
        assert!(matches!(l.compatible(item, v("1.1"), v("2.0")), Err(LayoutError::Incompatible { .. })));
        assert!(matches!(l.compatible(item, v("1.0"), v("1.7")), Err(LayoutError::Unknown { .. })));
        // A 1.1 answer (with dependants) read by a 1.0 requester: the requester checks only the
        // fields it knows, which are all there.
        let answer = json!({"fiscal_year": 2026, "taxable_income": 1, "tax_amount": 1, "non_taxable": false,
            "dependants": [{"relationship": "子", "birth": "2019-04-01"}]});
        l.validate(item, v("1.1"), &answer).unwrap();
        assert!(l.validate(item, v("2.0"), &answer).is_err());
        for bad in ["1", "1.", ".1", "a.b", "1.0.0", "99999.0"] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
    }
}
