//! The qualification system's wire types.

use myna_credential::Jwk;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An examining body's record of one person's pass (合格).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Pass {
    /// The qualification's id (`physician` …) or its Japanese name (医師).
    pub qualification: String,
    /// 受験番号.
    pub exam_number: String,
    /// 氏名 as the candidate registered for the examination.
    pub name: String,
    /// YYYY-MM-DD.
    pub birth: String,
    /// The date the pass was announced, YYYY-MM-DD.
    pub passed_on: String,
}

/// What a person signs with the card's signing key (the `message` of a
/// `SignedInstruction`, its JSON bytes).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signed {
    /// 登録申請: register me in `qualification`, which I passed under `exam_number`.
    QualificationApplication { qualification: String, exam_number: String, at: i64 },
    /// Issue me the credential of my registration `registration`, bound to `holder`.
    QualificationCredential { registration: i64, holder: Jwk, at: i64 },
}

/// An application as the keeper's clerk sees it: what the applicant asked, and who they are
/// as J-LIS holds them.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub qualification: String,
    pub qualification_ja: String,
    pub exam_number: String,
    pub name: String,
    pub kana: String,
    pub birth: String,
    pub sex: Option<String>,
    pub address: String,
    pub received_at: i64,
    /// `pending`, `registered`, `refused`.
    pub status: String,
    /// Whether the examining body recorded a pass with this number, name and birth date.
    pub pass_found: bool,
}

/// A registration made.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Registered {
    /// 登録番号.
    pub number: i64,
    pub qualification: String,
    /// YYYY-MM-DD.
    pub registered_on: String,
}

/// A registration ended (抹消, 取消) or suspended (業務停止), with the reason.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EndRequest {
    pub reason: String,
    /// Suspended rather than ended.
    #[serde(default)]
    pub suspend: bool,
}

/// The holder's credential.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CredentialAnswer {
    /// The SD-JWT VC with all its disclosures (`<jwt>~<disclosure>~…~`).
    pub credential: String,
    pub registration: i64,
}

/// What a sync with J-LIS found.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct Synced {
    /// Registrations classed.
    pub checked: usize,
    /// Ended ex officio: J-LIS records the holder's death.
    pub ended: usize,
    /// Names taken from J-LIS after a name change.
    pub renamed: usize,
}

/// A registration as the keeper's clerk reads it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct RegistrationView {
    pub number: i64,
    pub qualification: String,
    pub name: String,
    pub kana: String,
    pub birth: String,
    pub registered_on: String,
    /// `valid`, `suspended`, `ended`.
    pub status: String,
    /// Why it was ended or suspended.
    pub reason: Option<String>,
}
