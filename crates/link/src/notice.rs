//! Notices (お知らせ): an agency writes to a resident through the portal. The agency knows the
//! resident by its own code; the hub translates it to the portal's and records the exchange;
//! the text is sealed to the portal, so the hub routes what it cannot read.

use serde::{Deserialize, Serialize};

use crate::{AgencyCode, AgencyId, MessageId};

/// The portal's id on the network (its certificate's name).
pub const PORTAL_ID: &str = "portal";

/// What the resident reads: sealed, never seen by the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText {
    pub title: String,
    pub body: String,
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
        Ok(())
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
}

/// Hub → portal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeForward {
    pub notice: MessageId,
    pub sender: AgencyId,
    /// The portal's code for the resident.
    pub code: AgencyCode,
    pub sealed: crate::seal::Sealed,
    pub deliver_at: i64,
}

/// Portal → hub: the notice is stored (durably) for the resident.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeAck {
    pub notice: MessageId,
}

/// The associated data a sealed notice is bound to: which message, from whom, to whom.
pub fn notice_aad(notice: &MessageId, sender: &AgencyId, portal: &AgencyId) -> Vec<u8> {
    format!("notice|{notice}|{sender}|{portal}").into_bytes()
}
