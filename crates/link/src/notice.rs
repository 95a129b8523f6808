//! Pushes: an agency sends what it holds about a person to another agency's node, which keeps
//! it. The first kind is the notice (お知らせ) to a resident through the portal; the health
//! node receives eligibility from insurers, PMH records from municipalities and card
//! registrations from the portal the same way. The sender knows the person by its own code;
//! the hub translates it to the recipient's and records the exchange; the payload is sealed
//! to the recipient, so the hub routes what it cannot read.

use serde::{Deserialize, Serialize};

use crate::{AgencyCode, AgencyId, AgencyKind, MessageId};

/// The portal's id on the network (its certificate's name).
pub const PORTAL_ID: &str = "portal";

/// What the resident reads: sealed, never seen by the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText {
    pub title: String,
    pub body: String,
    /// What the resident may answer from the notice, until when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyOffer>,
}

/// An answer a notice offers the resident (the portal shows it as a button until `until`),
/// sent back to the notice's sender as a [`PushKind::BenefitReply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyOffer {
    /// The sender's reference of what is answered (a benefit's id).
    pub about: String,
    pub answer: ReplyAnswer,
    /// The last moment the answer is taken (seconds since the epoch).
    pub until: i64,
}

/// What a resident may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyAnswer {
    /// 受給拒否: the resident declines a benefit paid without application.
    Decline,
}

/// Portal → the notice's sender: the resident's answer, pushed about the resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub about: String,
    pub answer: ReplyAnswer,
    /// When the resident answered, on the portal's clock.
    pub at: i64,
}

impl NoticeText {
    /// Refuses empty or oversized notices, and control characters in the title.
    pub fn check(&self) -> Result<(), String> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 100 || title.chars().any(char::is_control) {
            return Err("a notice needs a title of 1–100 characters on one line".into());
        }
        if self.body.trim().is_empty() || self.body.chars().count() > 5_000 {
            return Err("a notice needs a body of 1–5,000 characters".into());
        }
        if let Some(r) = &self.reply
            && (r.about.is_empty()
                || r.about.len() > 64
                || !r.about.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err("a reply's reference is 1–64 letters, digits or hyphens".into());
        }
        Ok(())
    }
}

/// The health node's id on the network (オンライン資格確認等システム).
pub const HEALTH_ID: &str = "health";

/// What is pushed, which decides who may send it to whom.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushKind {
    /// A notice to a resident: any agency but the portal, to the portal.
    #[default]
    Notice,
    /// Health insurance eligibility: insurers (and municipalities, for their national health
    /// insurance), to the health node.
    Eligibility,
    /// Medical subsidy certificates, vaccinations, maternal checkups: municipalities, to the
    /// health node.
    Pmh,
    /// A resident registers their card for health insurance use: the portal, to the health node.
    CardRegistration,
    /// A resident's answer to a notice (a benefit declined): the portal, to a municipality.
    BenefitReply,
    /// A resident's own signed instruction for their public-fund account: the portal, to the
    /// account registry.
    AccountRegistration,
    /// A resident's own signed request to link their number to their bank accounts, or to
    /// find them: the portal, to 預金保険機構.
    DepositRequest,
    /// A resident's signed 転出届: the portal, to the municipality they leave.
    MoveOut,
    /// A resident's signed 転入予約: the portal, to the municipality they move to.
    MoveIn,
    /// A resident's signed 転居予約 (a move within their municipality): the portal, to it.
    MoveWithin,
}

impl PushKind {
    pub fn id(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Eligibility => "eligibility",
            Self::Pmh => "pmh",
            Self::CardRegistration => "card_registration",
            Self::BenefitReply => "benefit_reply",
            Self::AccountRegistration => "account_registration",
            Self::DepositRequest => "deposit_request",
            Self::MoveOut => "move_out",
            Self::MoveIn => "move_in",
            Self::MoveWithin => "move_within",
        }
    }

    /// The task (事務) the push serves, as the log records it.
    pub fn task(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Eligibility => "online_eligibility_confirmation",
            Self::Pmh => "public_medical_hub",
            Self::CardRegistration => "card_insurance_registration",
            Self::BenefitReply => "special_benefit",
            Self::AccountRegistration => "public_fund_account_registration",
            Self::DepositRequest => "deposit_account_management",
            Self::MoveOut | Self::MoveIn | Self::MoveWithin => "moving_one_stop",
        }
    }

    /// Who may push this kind to whom; `Err` says why not.
    pub fn allowed(self, from: AgencyKind, to: AgencyKind) -> Result<(), String> {
        use AgencyKind as K;
        let ok = match self {
            Self::Notice => from != K::Portal && to == K::Portal,
            Self::Eligibility => matches!(from, K::HealthInsurer | K::Municipality) && to == K::Health,
            Self::Pmh => from == K::Municipality && to == K::Health,
            Self::CardRegistration => from == K::Portal && to == K::Health,
            Self::BenefitReply => from == K::Portal && to == K::Municipality,
            Self::AccountRegistration => from == K::Portal && to == K::AccountRegistry,
            Self::DepositRequest => from == K::Portal && to == K::DepositInsurance,
            Self::MoveOut | Self::MoveIn | Self::MoveWithin => from == K::Portal && to == K::Municipality,
        };
        if ok { Ok(()) } else { Err(format!("a {} may not push {} to a {}", from.id(), self.id(), to.id())) }
    }
}

/// Agency → hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeRequest {
    /// The sender's own code for the resident.
    pub code: AgencyCode,
    /// [`NoticeText`] as JSON, sealed to the portal's key with [`notice_aad`].
    pub sealed: crate::seal::Sealed,
    /// When the resident is to see it (seconds since the epoch); now or later.
    pub deliver_at: i64,
    /// The recipient; the portal when absent.
    #[serde(default)]
    pub to: Option<AgencyId>,
    #[serde(default)]
    pub kind: PushKind,
}

/// Hub → recipient.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeForward {
    pub notice: MessageId,
    pub sender: AgencyId,
    /// The portal's code for the resident.
    pub code: AgencyCode,
    pub sealed: crate::seal::Sealed,
    pub deliver_at: i64,
    #[serde(default)]
    pub kind: PushKind,
}

/// Recipient → hub: the notice is stored (durably) for the resident.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeAck {
    pub notice: MessageId,
}

/// The associated data a sealed notice is bound to: which message, from whom, to whom.
pub fn notice_aad(notice: &MessageId, sender: &AgencyId, portal: &AgencyId) -> Vec<u8> {
    format!("notice|{notice}|{sender}|{portal}").into_bytes()
}
