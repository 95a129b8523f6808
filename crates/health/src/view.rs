//! The resident's view of their medical information as it travels from the health node to
//! the portal (the `medical_information` item of the data standard layout), typed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{CheckupResult, Expense, Medication};

/// What the portal reads back, typed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MedicalView {
    pub registered: bool,
    pub eligibility: Vec<Value>,
    pub checks: Vec<Value>,
    pub medication: Vec<Medication>,
    pub checkups: Vec<CheckupWire>,
    pub expenses: Vec<Expense>,
    pub pmh: Vec<Value>,
    pub reminders: Vec<Value>,
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
