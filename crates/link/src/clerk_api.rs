//! An agency's query as its clerks' systems send it to their own node, and what comes back:
//! the portal and the health node ask through their agency nodes with the same types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AgencyId, InfoItem, Outcome, PushKind, TaskId, Version};

/// A query about a person the agency enrolled (`POST /v1/queries` on the agency's node).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct QueryRequest {
    /// The agency's own reference for the person.
    pub person: String,
    #[schema(value_type = String)]
    pub task: TaskId,
    #[schema(value_type = String)]
    pub item: InfoItem,
    #[schema(value_type = String)]
    pub provider: AgencyId,
    /// The case this is for (file or receipt number).
    pub purpose: String,
    /// The layout version to read (default: the newest).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub version: Option<Version>,
    /// The resident's login, which the portal forwards with its self-information queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<crate::LoginProof>,
}

/// The answer, opened and checked, with the hub's record of the exchange.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct QueryResult {
    /// delivered or not_held.
    #[schema(value_type = String)]
    pub outcome: Outcome,
    /// The hub's log index of this exchange.
    pub record: u64,
    /// The log entry's exact bytes.
    pub entry: String,
    #[schema(value_type = String)]
    pub provider: AgencyId,
    /// The layout version the provider answered in.
    #[schema(value_type = Option<String>)]
    pub version: Option<Version>,
    /// The item, opened and checked against its layout.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// Enrols a person (`POST /v1/people`): the agency obtains its code for them from J-LIS,
/// which links the number only if the agency's 4 items of the person are its resident's.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct EnrolRequest {
    /// The agency's own reference for the person (宛名番号 or file number).
    pub person: String,
    /// The individual number (12 digits), sent to J-LIS only.
    pub number: String,
    /// The name as the agency holds it (kanji, family name first).
    pub name: String,
    /// The date of birth (`YYYY-MM-DD`).
    pub birth: String,
    /// `male` or `female`, where the agency holds it (the lookup rule allows 3 items without it).
    #[serde(default)]
    pub sex: Option<String>,
    /// The address as the agency holds it.
    pub address: String,
}

impl EnrolRequest {
    /// What J-LIS is sent: the number and the 4 items.
    pub fn items(&self) -> crate::LinkItems {
        crate::LinkItems {
            number: self.number.clone(),
            name: self.name.clone(),
            birth: self.birth.clone(),
            sex: self.sex.clone(),
            address: self.address.clone(),
        }
    }
}

/// Enrols a person from their card (`POST /v1/people/by-card`): the number and the 4 items
/// read from the card's 券面事項入力補助 application after the holder's PIN, as J-LIS signed
/// them, instead of typed.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct CardEnrolRequest {
    /// The agency's own reference for the person.
    pub person: String,
    /// The face data as the card gave it: a compact JWS by J-LIS (`myna_link::face::CardFace`).
    pub face: String,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct Enrolled {
    pub person: String,
    /// This agency's code for the person.
    pub code: String,
}

/// A copy (副本) of an item for an enrolled person (`PUT /v1/people/{person}/copies/{item}`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct CopyRequest {
    /// The layout version of `data` (default: the newest).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub version: Option<Version>,
    /// The item's fields, as its layout gives them.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// Which side of an exchange an agency's record is of.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeRole {
    /// This agency asked (情報照会).
    Asked,
    /// This agency answered the hub's forward (情報提供).
    Answered,
}

/// What became of an exchange, as the agency records it: the hub's outcomes, and one the
/// hub never records: an answer its log never received (it did not reach the requester).
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeOutcome {
    Delivered,
    NotHeld,
    Refused,
    Failed,
    NotDelivered,
}

impl From<Outcome> for ExchangeOutcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Delivered => Self::Delivered,
            Outcome::NotHeld => Self::NotHeld,
            Outcome::Refused => Self::Refused,
            Outcome::Failed => Self::Failed,
        }
    }
}

macro_rules! text_enum {
    ($t:ty, $what:literal, $($v:ident = $s:literal),+) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$v),)+
                    _ => Err(format!(concat!("unknown ", $what, " {:?}"), s)),
                }
            }
        }
    };
}

text_enum!(ExchangeRole, "exchange role", Asked = "asked", Answered = "answered");
text_enum!(
    ExchangeOutcome,
    "exchange outcome",
    Delivered = "delivered",
    NotHeld = "not_held",
    Refused = "refused",
    Failed = "failed",
    NotDelivered = "not_delivered"
);

/// One exchange in an agency's own record (`GET /v1/exchanges`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct ExchangeView {
    pub message: String,
    pub role: ExchangeRole,
    pub peer: String,
    pub task: String,
    pub item: String,
    pub outcome: ExchangeOutcome,
    /// The hub's log index, once the log is known to hold it.
    pub record: Option<u64>,
    pub at: i64,
    /// The member of staff who asked (their account); absent for the agency's own system and
    /// for answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
}

/// What a clerk's system pushes to another agency's node about a person (`POST /v1/pushes`).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct PushSend {
    /// The agency's own reference for the resident (enrolled).
    pub person: String,
    /// The recipient's id on the network (e.g. `health`).
    #[schema(value_type = String)]
    pub to: AgencyId,
    /// eligibility, pmh (the hub checks who may push what to whom).
    #[schema(value_type = String)]
    pub kind: PushKind,
    /// The payload, as the recipient defines it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct PushSent {
    /// The hub's log index of this push.
    pub record: u64,
}

/// A notice to a resident (お知らせ, `POST /v1/notices`), kept for them by the portal.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct NoticeSend {
    /// The agency's own reference for the resident (enrolled).
    pub person: String,
    pub title: String,
    pub body: String,
    /// When the resident is to see it (seconds since the epoch; default now). Notices tied
    /// to a life event (e.g. the child-allowance status report each June) are scheduled so.
    #[serde(default)]
    pub deliver_at: Option<i64>,
    /// An answer the resident may give from the notice (`{"about", "answer": "decline",
    /// "until"}`), pushed back to this agency by the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub reply: Option<crate::notice::ReplyOffer>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct NoticeSent {
    /// The hub's log index of this notice.
    pub record: u64,
    pub deliver_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_back_as_written() {
        for o in [
            ExchangeOutcome::Delivered,
            ExchangeOutcome::NotHeld,
            ExchangeOutcome::Refused,
            ExchangeOutcome::Failed,
            ExchangeOutcome::NotDelivered,
        ] {
            assert_eq!(o.as_str().parse::<ExchangeOutcome>(), Ok(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert_eq!("answered".parse::<ExchangeRole>(), Ok(ExchangeRole::Answered));
        assert!("deliverd".parse::<ExchangeOutcome>().unwrap_err().contains("deliverd"));
    }
}
