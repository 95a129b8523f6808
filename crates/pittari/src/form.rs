//! A filled form: every value checked by its field, and the canonical bytes the resident
//! signs (so the municipality verifies exactly what was submitted).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Offering, Problem};

/// Which field was refused and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

/// The values of a form that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub municipality: String,
    pub procedure: String,
    pub values: BTreeMap<String, String>,
}

/// What is signed: the form version, where it goes, which procedure, the values, and (from
/// format 2) who applies, which draft and when, as JSON with sorted keys and no spaces (the
/// same bytes on every machine). The binding makes a signature good for one application of
/// one resident only: pasted into another draft, or made with another resident's card for
/// this one, it does not stand (意思表示の証明).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant: Option<Binding>,
    pub format: String,
    pub municipality: String,
    pub procedure: String,
    pub values: BTreeMap<String, String>,
}

/// Who applies, in which draft, when: written into the signed bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The portal's own code for the resident who is signed in.
    pub resident: String,
    /// The draft the resident confirmed.
    pub draft: String,
    /// When the draft was made (unix seconds).
    pub at: i64,
}

pub const FORMAT: &str = "myna-pittari/2";
/// Applications signed before the binding (read back, never made any more).
pub const FORMAT_1: &str = "myna-pittari/1";

impl Offering<'_> {
    /// Checks a submission. Every field is checked (so the resident sees every problem at
    /// once); a value for a field the form does not have is refused too.
    pub fn fill(&self, input: &BTreeMap<String, String>) -> Result<Filled, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut values = BTreeMap::new();
        for f in &self.fields {
            match f.check(input.get(&f.id).map(String::as_str)) {
                Ok(Some(v)) => {
                    values.insert(f.id.clone(), v);
                }
                Ok(None) => {}
                Err(problem) => errors.push(FieldError { field: f.id.clone(), problem }),
            }
        }
        for k in input.keys().filter(|k| !self.fields.iter().any(|f| &f.id == *k)) {
            errors.push(FieldError { field: k.clone(), problem: Problem::NotAnOption });
        }
        if errors.is_empty() {
            Ok(Filled { municipality: self.municipality.to_string(), procedure: self.procedure.id.clone(), values })
        } else {
            Err(errors)
        }
    }
}

impl Filled {
    pub fn document(&self, binding: Binding) -> SignedDocument {
        SignedDocument {
            applicant: Some(binding),
            format: FORMAT.into(),
            municipality: self.municipality.clone(),
            procedure: self.procedure.clone(),
            values: self.values.clone(),
        }
    }
}

impl SignedDocument {
    /// The exact bytes signed.
    pub fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads signed bytes back, refusing any that are not in canonical form (so two
    /// different byte strings never stand for one application).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let d: Self = serde_json::from_slice(bytes).map_err(|e| format!("not a signed application: {e}"))?;
        match (d.format.as_str(), &d.applicant) {
            (FORMAT, Some(_)) | (FORMAT_1, None) => {}
            (FORMAT, None) => return Err("a format 2 application names its applicant".into()),
            _ => return Err(format!("unknown format {:?}", d.format)),
        }
        if d.bytes() != bytes {
            return Err("not in canonical form".into());
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use crate::Catalogue;

    use super::*;

    fn genkyo() -> BTreeMap<String, String> {
        [
            ("applicant_name", "山田 太郎"),
            ("applicant_kana", "ヤマダ タロウ"),
            ("applicant_birth", "1990-04-01"),
            ("applicant_address", "東京都千代田区千代田1-1"),
            ("applicant_phone", "03-1234-5678"),
            ("pension_scheme", "employees"),
            ("child_name", "山田 花子"),
            ("child_birth", "2020-05-05"),
            ("child_relationship", "child"),
            ("child_together", "yes"),
            ("taxable_income", "2400000"),
            ("spouse", "yes"),
            ("declaration", "yes"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn a_complete_form_fills_and_its_bytes_round_trip() {
        let c = Catalogue::shipped().unwrap();
        let o = c.offering("131016", "kosodate-10").unwrap();
        let filled = o.fill(&genkyo()).unwrap();
        let binding = Binding { resident: "ab".repeat(16), draft: "d1".into(), at: 1_780_000_000 };
        let doc = filled.document(binding.clone());
        assert_eq!(SignedDocument::parse(&doc.bytes()).unwrap(), doc);
        let spaced = serde_json::to_vec_pretty(&doc).unwrap();
        assert!(SignedDocument::parse(&spaced).is_err(), "non-canonical bytes are refused");
        // Another draft of the same values is other bytes: a signature does not carry over.
        let other = filled.document(Binding { draft: "d2".into(), ..binding });
        assert_ne!(other.bytes(), doc.bytes());
        // An application of the first format (no binding) still reads; a second-format one
        // without its applicant does not.
        let old = SignedDocument { applicant: None, format: FORMAT_1.into(), ..doc.clone() };
        assert_eq!(SignedDocument::parse(&old.bytes()).unwrap(), old);
        let unbound = SignedDocument { applicant: None, ..doc };
        assert!(SignedDocument::parse(&unbound.bytes()).is_err());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let c = Catalogue::shipped().unwrap();
        let o = c.offering("131016", "kosodate-10").unwrap();
        let mut input = genkyo();
        input.remove("child_name");
        input.insert("child_birth".into(), "yesterday".into());
        input.insert("declaration".into(), "".into());
        input.insert("injected".into(), "x".into());
        let errs = o.fill(&input).unwrap_err();
        let got: Vec<(&str, &Problem)> = errs.iter().map(|e| (e.field.as_str(), &e.problem)).collect();
        assert!(got.contains(&("child_name", &Problem::Missing)));
        assert!(got.contains(&("child_birth", &Problem::NotDate)));
        assert!(got.contains(&("declaration", &Problem::MustAgree)));
        assert!(got.contains(&("injected", &Problem::NotAnOption)));
    }
}
