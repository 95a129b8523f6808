//! マイナンバー情報総点検 on the wire: an agency's links sent to J-LIS in batches, each classed
//! (matches, changed, wrong, deceased, refused); and, on an agency's own node, the inspection
//! of its records by its clerks' systems, the links it found suspect queued for a clerk, and
//! each one confirmed and corrected or dismissed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most links one inspection request carries.
pub const INSPECTION_BATCH_MAX: usize = 1_000;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionLine {
    pub number: String,
    pub name: String,
    pub birth: String,
    #[serde(default)]
    pub sex: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// The task the links serve (one the caller holds), kept in the access log.
    pub task: String,
    /// The inspection's reference (1 to 64 characters), kept in the access log too.
    pub case: String,
    pub lines: Vec<InspectionLine>,
}

/// One link's class.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InspectionResult {
    /// Its place in the request, from 0.
    pub line: usize,
    /// matches, changed, wrong, deceased, or refused (the line could not be read).
    pub standing: String,
    /// For changed: which items to update (name, address).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// For wrong: the agency's 4 items are another resident's, and one of the same household
    /// as the number's resident (the family swap); the other is never named here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_in_household: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_found: bool,
    /// For refused: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For changed, to the qualification system only: the person's 本人確認情報 now (the
    /// registration takes the new name without a 書換え application).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<crate::Identity>,
}

impl InspectionResult {
    pub fn refused(line: usize, reason: String) -> Self {
        Self {
            line,
            standing: "refused".into(),
            items: vec![],
            other_in_household: false,
            other_found: false,
            reason: Some(reason),
            current: None,
        }
    }
}

/// One of the agency's records to inspect (`POST /v1/inspection` on its node): its own
/// reference for the person, the number the record carries, and its own 4 items of them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordToInspect {
    pub person: String,
    pub number: String,
    pub name: String,
    pub birth: String,
    #[serde(default)]
    pub sex: Option<String>,
    pub address: String,
}

impl RecordToInspect {
    /// The agency's record `person`, linked by `items` (its number and its own 4 items).
    pub fn new(person: &str, items: crate::LinkItems) -> Self {
        let crate::LinkItems { number, name, birth, sex, address } = items;
        Self { person: person.to_string(), number, name, birth, sex, address }
    }

    /// The agency's 4 items of the person, without the number.
    pub fn held(&self) -> HeldItems {
        HeldItems {
            name: self.name.clone(),
            birth: self.birth.clone(),
            sex: self.sex.clone(),
            address: self.address.clone(),
        }
    }

    /// The line J-LIS is sent: the number and the items, never the agency's reference.
    pub fn line(&self) -> InspectionLine {
        InspectionLine {
            number: self.number.clone(),
            name: self.name.clone(),
            birth: self.birth.clone(),
            sex: self.sex.clone(),
            address: self.address.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyInspection {
    /// The task the records serve (one of the agency's on the permission table).
    pub task: String,
    /// The inspection's reference (1 to 64 characters), kept in J-LIS's access log and with
    /// each suspect.
    pub case: String,
    pub records: Vec<RecordToInspect>,
}

/// J-LIS's class of each record (`line` is its place in the request), and how many were
/// queued for a clerk (those classed wrong).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgencyInspected {
    pub results: Vec<InspectionResult>,
    pub queued: usize,
}

/// The agency's 4 items of a person, as it holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeldItems {
    pub name: String,
    pub birth: String,
    #[serde(default)]
    pub sex: Option<String>,
    pub address: String,
}

impl HeldItems {
    /// What J-LIS is sent to link `number` with these items.
    pub fn with_number(&self, number: &str) -> crate::LinkItems {
        crate::LinkItems {
            number: number.to_string(),
            name: self.name.clone(),
            birth: self.birth.clone(),
            sex: self.sex.clone(),
            address: self.address.clone(),
        }
    }
}

/// A record found linked to another resident's number, waiting for a clerk.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Suspect {
    pub person: String,
    /// The inspection that found it.
    pub case: String,
    /// The items are another member of the number's resident's household (the family swap).
    pub other_in_household: bool,
    pub items: HeldItems,
    /// open, relinked (J-LIS gave the right code; the hub and the residents not yet told),
    /// corrected, or dismissed.
    pub status: String,
    pub found_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
    /// For corrected: how many exchanges were marked; for dismissed: the clerk's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A clerk corrects a suspect: the person's right number, confirmed with them (or read from
/// their card); J-LIS links it only if the agency's items are its resident's. The clerk is
/// the session's account, kept with the correction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub number: String,
}

/// A clerk finds a suspect was right after all, and says why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    pub reason: String,
}

/// What a correction did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Corrected {
    pub person: String,
    /// The agency's code for the person now.
    pub code: String,
    /// Exchanges made under the wrong link, now marked in both people's records.
    pub marked: usize,
}
