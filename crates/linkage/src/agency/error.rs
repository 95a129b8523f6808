//! Why an agency node did not do what it was asked: at start, or for one request. The edge
//! (`routes.rs`) gives each a status, in one `From`; services built on an agency node (the
//! portal, the health node) use the same mapping.

use myna_link::EnvelopeError;
use myna_store::StoreError;

use crate::wire::CallError;

#[derive(Debug, thiserror::Error)]
pub enum AgencyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("setup: {0}")]
    Setup(String),
    #[error(transparent)]
    Tls(#[from] myna_node::TlsError),
    /// The hub or J-LIS could not be reached, or refused (its status and reason passed on).
    #[error(transparent)]
    Call(#[from] CallError),
    /// Another node's answer was not accepted (not signed by it, not about this request).
    #[error("the answer was not accepted: {0}")]
    Answer(String),
    /// A message sent to this node was not accepted (signature, sender, freshness).
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error("only the hub sends this")]
    NotFromHub,
    /// A field of the request the caller must fix.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0} is not enrolled here: POST /v1/people first")]
    NotEnrolled(String),
    /// No suspect link of this person's is queued (マイナンバー情報総点検).
    #[error("no suspect link of {0}'s is queued")]
    NotQueued(String),
    /// The request cannot be served as the agency's data stands (a layout version it cannot
    /// answer in, a copy that no longer matches its layout, a reference already in use).
    #[error("{reason}")]
    Conflict { code: &'static str, reason: String },
    /// The recipient of a push is not in the hub's directory.
    #[error("{0}")]
    RecipientUnknown(String),
    /// A failure of the node's own (a signature it could not make, a computed answer).
    #[error("{0}")]
    Internal(String),
}

impl AgencyError {
    /// What to tell a person: another node's own reason when it refused (without its
    /// address), else what went wrong.
    pub fn reason(&self) -> String {
        match self {
            Self::Call(CallError::Refused { message, .. }) => message.clone(),
            other => other.to_string(),
        }
    }

    pub(super) fn invalid(field: &'static str, reason: impl ToString) -> Self {
        Self::Invalid { field, reason: reason.to_string() }
    }

    pub(super) fn internal(e: impl ToString) -> Self {
        Self::Internal(e.to_string())
    }

    pub(super) fn answer(e: impl ToString) -> Self {
        Self::Answer(e.to_string())
    }
}
