//! ぴったりサービス without I/O: the catalogue of procedures a resident can find and apply
//! for online, the standard forms the portal presets (子育て 15, 介護 11, 被災者支援 7, from
//! seed 003), what each municipality adopted or added, the checks a filled form must pass,
//! and the exact bytes a resident signs. The data is compiled in (`data/procedures.json`).

mod catalogue;
mod field;
mod form;

pub use catalogue::{Catalogue, CatalogueError, LifeEvent, Offering, Procedure, municipality_name};
pub use field::{Choice, Field, FieldKind, Problem};
pub use form::{Binding, FieldError, Filled, SignedDocument};

/// A bilingual label: Japanese first, English beside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub ja: String,
    pub en: String,
}

impl Label {
    pub fn get(&self, english: bool) -> &str {
        if english { &self.en } else { &self.ja }
    }
}
