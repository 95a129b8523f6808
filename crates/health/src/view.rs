//! The resident's view of their medical information as it travels from the health node to
//! the portal (the `medical_information` item of the data standard layout), typed.

use serde::{Deserialize, Serialize};

use crate::{Branch, CheckupResult, Copay, Expense, InsurerNumber, LimitCategory, Medication};

/// What the portal reads back, typed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MedicalView {
    pub registered: bool,
    pub eligibility: Vec<EligibilityLine>,
    pub checks: Vec<CheckLine>,
    pub medication: Vec<Medication>,
    pub checkups: Vec<CheckupWire>,
    pub expenses: Vec<Expense>,
    pub pmh: Vec<PmhLine>,
    pub reminders: Vec<ReminderLine>,
}

/// One insurer's record of the resident, as the card's holder sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EligibilityLine {
    pub insurer: InsurerNumber,
    /// The scheme the insurer number belongs to, in Japanese (協会けんぽ, 国民健康保険 …).
    pub scheme: String,
    pub symbol: String,
    pub number: String,
    pub branch: Branch,
    pub copay_percent: Copay,
    pub limit: LimitCategory,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    pub valid_to: Option<String>,
}

/// One identity check at a facility, with what the resident consented to share there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckLine {
    /// Japan time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// The facility's name and code.
    pub facility: String,
    /// `pin` or `face`.
    pub method: String,
    /// The scopes consented, space-separated (empty: nothing shared).
    pub consented: String,
    /// The user-authentication certificate's serial.
    pub certificate: String,
    pub outcome: String,
}

/// One PMH record (a subsidy certificate, a vaccination, a maternal checkup), summarised.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PmhLine {
    /// `subsidy`, `vaccination` or `maternal_checkup`.
    #[serde(rename = "type")]
    pub kind: String,
    pub summary: String,
    pub on: Option<String>,
}

/// A vaccination dose now due.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReminderLine {
    /// The vaccine's name in Japanese.
    pub vaccine: String,
    pub dose: u8,
}

/// A checkup as the layout carries it (values as text, so no float formats differ).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckupWire {
    pub on: String,
    pub institution: String,
    pub values: Vec<ItemValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemValue {
    pub item: String,
    pub value: String,
}

impl CheckupWire {
    pub fn to_result(&self) -> Option<CheckupResult> {
        Some(CheckupResult {
            on: crate::parse_date(&self.on).ok()?,
            institution: self.institution.clone(),
            values: self.values.iter().filter_map(|v| Some((v.item.clone(), v.value.parse().ok()?))).collect(),
        })
    }
}
