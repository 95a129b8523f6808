//! The wire types of the J-LIS API.

use myna_registry::Resident;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A life event to record. `on` is the day it took effect (YYYY-MM-DD).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventRequest {
    /// 出生: creates a record and issues a number. `on` is the birth date.
    Birth {
        on: String,
        name: String,
        kana: String,
        sex: Option<String>,
        address: String,
        /// Join this household; omit to start a new one.
        household: Option<u64>,
        relationship: Option<String>,
    },
    /// 転入 from abroad: creates a record and issues a number.
    FirstRegistration {
        on: String,
        name: String,
        kana: String,
        birth: String,
        sex: Option<String>,
        address: String,
        household: Option<u64>,
        relationship: Option<String>,
    },
    /// 転入 of a resident who moved out of another municipality.
    MoveIn {
        on: String,
        resident: String,
        address: String,
        household: Option<u64>,
        relationship: Option<String>,
    },
    /// 転出, on the planned move-out date (up to 14 days ahead), to an address in another
    /// municipality; the destination is handed the 転出証明書情報 (`GET /v1/moves/incoming`).
    MoveOut {
        on: String,
        resident: String,
        to: String,
    },
    /// 転居 within the municipality.
    MoveWithin {
        on: String,
        resident: String,
        address: String,
    },
    NameChange {
        on: String,
        resident: String,
        name: String,
        kana: String,
    },
    Death {
        on: String,
        resident: String,
    },
}

/// Address split as normalized.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AddressParts {
    pub pref: String,
    pub city: String,
    pub town: String,
    pub rest: String,
    pub lg_code: String,
}

/// A resident's current record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResidentView {
    /// 住民票コード.
    pub code: String,
    /// 個人番号; left out where a view must not carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub name: String,
    pub kana: String,
    pub birth: String,
    pub sex: Option<String>,
    pub address: String,
    pub address_parts: AddressParts,
    pub household: u64,
    pub relationship: String,
    /// 続柄 as printed on a certificate.
    pub relationship_ja: String,
    /// resident, moved_out or deceased.
    pub status: String,
    pub status_on: Option<String>,
    pub moved_to: Option<String>,
}

/// The number with the 4 items of a resident as registered: what an agency that took them
/// from the register (the demo's country, a bench) links them by.
pub fn link_items_of(r: &myna_registry::NewResident, number: &str) -> myna_link::LinkItems {
    myna_link::LinkItems {
        number: number.to_string(),
        name: r.name.kanji.clone(),
        birth: r.birth.to_string(),
        sex: r.sex.map(|s| s.as_str().to_string()),
        address: r.address.line(),
    }
}

impl ResidentView {
    /// The number with the 4 items as this view has them, to link the person at an agency
    /// (`None` where the view does not carry the number).
    pub fn link_items(&self) -> Option<myna_link::LinkItems> {
        Some(myna_link::LinkItems {
            number: self.number.clone()?,
            name: self.name.clone(),
            birth: self.birth.clone(),
            sex: self.sex.clone(),
            address: self.address.clone(),
        })
    }

    pub fn of(r: &Resident, with_number: bool) -> Self {
        let n = r.address.normalized();
        Self {
            code: r.code.as_str(),
            number: with_number.then(|| r.number.as_str()),
            name: r.name.kanji.clone(),
            kana: r.name.kana.clone(),
            birth: r.birth.to_string(),
            sex: r.sex.map(|s| s.as_str().to_string()),
            address: r.address.line(),
            address_parts: AddressParts {
                pref: n.pref.clone(),
                city: n.city.clone(),
                town: n.town.clone(),
                rest: n.rest.clone(),
                lg_code: r.address.lg_code().to_string(),
            },
            household: r.household,
            relationship: r.relationship.as_str().to_string(),
            relationship_ja: r.relationship.label_ja().to_string(),
            status: r.status.as_str().to_string(),
            status_on: r.status.since().map(|d| d.to_string()),
            moved_to: r.status.moved_to().map(str::to_string),
        }
    }
}

/// The answer to a recorded event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventRecorded {
    pub resident: ResidentView,
    /// The record's version after the event (1 for a new record).
    pub version: i64,
    /// True when this was a retry of an earlier request with the same Idempotency-Key.
    pub replayed: bool,
}

/// A lookup by the basic 4 items. Name, birth and address are required; sex may be left
/// out only for records that hold none (the rule since December 2023).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    /// Optional in Rust only so that a missing item gets the rule's own message.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 60, example = "山田 花")]
    pub name: Option<String>,
    #[schema(value_type = String, required = true, format = Date, example = "2024-02-29")]
    pub birth: Option<String>,
    #[schema(example = "female")]
    pub sex: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200, example = "東京都千代田区霞が関2-1-2")]
    pub address: Option<String>,
    /// The task the request is for: one the caller's kind holds on the linkage permission
    /// table (`pension_award`, `child_allowance`, …), or a municipality's own
    /// `resident_registry` or `individual_number_card`. Kept in J-LIS's access log, which the
    /// resident sees.
    #[schema(value_type = String, required = true, example = "pension_award")]
    pub task: Option<String>,
    /// The caller's case or file reference (1 to 64 characters), kept in the access log.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64, example = "R8-000123")]
    pub case: Option<String>,
}

/// unique: one record, with its number. ambiguous: several records agree (numbers left
/// out); narrow with more data. not_found: none.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LookupResponse {
    pub outcome: String,
    pub matches: Vec<ResidentView>,
}

/// Number verification (番号確認): does this number belong to the person these items describe?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// 12 digits; spaces, hyphens and full-width digits are accepted.
    #[schema(min_length = 12, max_length = 40, example = "1234 5678 9018")]
    pub number: String,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 60)]
    pub name: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    pub birth: Option<String>,
    pub sex: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub address: Option<String>,
    /// The task the request is for: one the caller's kind holds on the linkage permission
    /// table (`pension_award`, `child_allowance`, …), or a municipality's own
    /// `resident_registry` or `individual_number_card`. Kept in J-LIS's access log, which the
    /// resident sees.
    #[schema(value_type = String, required = true, example = "pension_award")]
    pub task: Option<String>,
    /// The caller's case or file reference (1 to 64 characters), kept in the access log.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64, example = "R8-000123")]
    pub case: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerifyResponse {
    pub verified: bool,
    /// Why not, when not.
    pub reason: Option<String>,
}

/// One life event from a record's history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub version: i64,
    pub kind: String,
    pub effective_on: String,
    pub recorded_at: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}
