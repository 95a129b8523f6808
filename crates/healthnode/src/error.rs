//! Why the health node did not do what it was asked: at start, or for one request. The edge
//! (`edge.rs`) gives each a status, in one `From`; the reception page shows them to staff.

use myna_linkage::agency::AgencyError;
use myna_pki::login::LoginError;
use myna_store::StoreError;

use crate::checklog::CheckLogError;

/// What kind of refusal a request met, for the edge to answer with the right status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request is malformed (an unknown scope).
    BadRequest,
    /// A field the caller must fix.
    Invalid,
    /// Nothing of the kind is held (no registration, no eligibility, no reception).
    NotFound,
    /// Held, but not for this caller (another facility's reception, no consent).
    Forbidden,
    /// Held, but no longer (a day-old consent).
    Gone,
    /// The node cannot take more of this now (challenges outstanding, an upload running).
    Busy,
    /// Too large to take.
    TooLarge,
}

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("setup: {0}")]
    Setup(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tls(#[from] myna_node::TlsError),
    /// The node's own linkage node (a code for a card, a pushed record, a reminder).
    #[error("{}", .0.reason())]
    Agency(#[from] AgencyError),
    #[error(transparent)]
    CheckLog(#[from] CheckLogError),
    /// The card's signature, certificate or challenge did not pass.
    #[error(transparent)]
    Card(#[from] LoginError),
    #[error("{reason}")]
    Refused { why: Refusal, code: &'static str, reason: String },
    /// A failure of the node's own.
    #[error("{0}")]
    Internal(String),
}

impl HealthError {
    pub(crate) fn refused(why: Refusal, code: &'static str, reason: impl ToString) -> Self {
        Self::Refused { why, code, reason: reason.to_string() }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl ToString) -> Self {
        Self::refused(Refusal::Invalid, field, reason)
    }

    pub(crate) fn not_found(reason: impl ToString) -> Self {
        Self::refused(Refusal::NotFound, "not_found", reason)
    }

    pub(crate) fn internal(e: impl ToString) -> Self {
        Self::Internal(e.to_string())
    }

    pub(crate) fn setup(e: impl std::fmt::Display) -> Self {
        Self::Setup(e.to_string())
    }
}
