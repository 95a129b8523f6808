//! What the patient chooses at the card reader (seed 000, 医療機関・薬局におけるオンライン資格
//! 確認の仕組み): how they proved it is them, and which information the facility may see.

use serde::{Deserialize, Serialize};

/// How the holder was checked before the card signed: the PIN (暗証番号), or the reader's face
/// match against the card's photo (顔認証).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityCheck {
    Pin,
    Face,
}

/// What a facility may read about a patient after reception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// 過去の健診情報 (offered to 40 and over).
    Checkups,
    /// 薬剤情報.
    Medication,
    /// 診療情報.
    Treatment,
    /// 限度額情報.
    Limit,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Checkups, Scope::Medication, Scope::Treatment, Scope::Limit];

    pub fn name_ja(self) -> &'static str {
        match self {
            Self::Checkups => "過去の健診情報",
            Self::Medication => "薬剤情報",
            Self::Treatment => "診療情報",
            Self::Limit => "限度額情報",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Checkups => "past checkups",
            Self::Medication => "medication",
            Self::Treatment => "treatment",
            Self::Limit => "high-cost-care limit",
        }
    }
}

/// The patient's choices, one per scope. Nothing is shared unless chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    #[serde(default)]
    pub checkups: bool,
    #[serde(default)]
    pub medication: bool,
    #[serde(default)]
    pub treatment: bool,
    #[serde(default)]
    pub limit: bool,
}

/// Checkups are asked only of patients 40 and over (特定健診 covers 40–74; the reader says
/// 「同意しない・40歳未満の方」).
pub const CHECKUP_AGE: i32 = 40;

impl Consent {
    pub fn allows(&self, s: Scope) -> bool {
        match s {
            Scope::Checkups => self.checkups,
            Scope::Medication => self.medication,
            Scope::Treatment => self.treatment,
            Scope::Limit => self.limit,
        }
    }

    /// What takes effect for a patient of `age`: checkups are not offered under 40, whatever
    /// the reader sent.
    pub fn effective(self, age: i32) -> Self {
        Self { checkups: self.checkups && age >= CHECKUP_AGE, ..self }
    }

    pub fn scopes(&self) -> Vec<Scope> {
        Scope::ALL.into_iter().filter(|s| self.allows(*s)).collect()
    }

    pub fn refused_all(&self) -> bool {
        self.scopes().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkups_are_not_offered_under_forty() {
        let c = Consent { checkups: true, medication: true, ..Consent::default() };
        assert_eq!(c.effective(39).scopes(), vec![Scope::Medication]);
        assert_eq!(c.effective(40).scopes(), vec![Scope::Checkups, Scope::Medication]);
        assert!(Consent::default().refused_all());
        assert!(serde_json::from_str::<Consent>(r#"{"everything": true}"#).is_err());
    }
}
