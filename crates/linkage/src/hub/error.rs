//! Why the hub did not do what it was asked: at start (setup, store, TLS) or for one request.
//! Refusals and failures the requester sees in a signed answer are not errors: they are
//! [`super::Handled`] outcomes, recorded in the log. The edge maps these to statuses
//! (`routes.rs`, one `From`).

use myna_link::{AgencyId, EnvelopeError};
use myna_store::StoreError;

use super::LogError;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("setup: {0}")]
    Setup(String),
    #[error(transparent)]
    Tls(#[from] myna_node::TlsError),
    /// The signed message was not accepted (signature, sender, freshness, envelope).
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// A field of the request the caller must fix.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The caller may not ask this of the hub (not its kind's endpoint, not its code).
    #[error("{reason}")]
    Forbidden { code: &'static str, reason: String },
    #[error("{0} is not registered with the hub")]
    NotRegistered(AgencyId),
    #[error("this message is being handled; resend it in a moment")]
    InProgress,
    /// A failure of the hub's own (a signature it could not make, a poisoned lock).
    #[error("{0}")]
    Internal(String),
}

impl HubError {
    pub(super) fn invalid(field: &'static str, reason: impl ToString) -> Self {
        Self::Invalid { field, reason: reason.to_string() }
    }

    pub(super) fn forbidden(code: &'static str, reason: impl ToString) -> Self {
        Self::Forbidden { code, reason: reason.to_string() }
    }

    pub(super) fn internal(e: impl ToString) -> Self {
        Self::Internal(e.to_string())
    }
}
