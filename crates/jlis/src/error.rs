//! Why J-LIS did not do what it was asked, for one request: the registry's and the card
//! store's own errors, a certificate the authority refused, and refusals of the request
//! itself. The edge (`edge.rs`) gives each a status, in one `From`.

use myna_pki::PkiError;
use myna_store::StoreError;

use crate::store::{CardError, RegistryError};

#[derive(Debug, thiserror::Error)]
pub enum JlisError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Card(#[from] CardError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The access log could not record a lookup, so it is not answered.
    #[error("the access log: {0}")]
    AccessLog(#[from] myna_store::GroupError),
    /// A certificate request or certificate the authority refused.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// A field the caller must fix.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{0}")]
    NotFound(String),
    #[error(
        "send an Idempotency-Key header (a unique string of up to 200 characters per request) so a retry cannot record the event twice"
    )]
    NoIdempotencyKey,
    /// A 4-item lookup the rules do not allow (too few items, an item that cannot be read).
    #[error("{0}")]
    LookupRefused(String),
    /// The request cannot be served as the record stands (a resident who is not living here,
    /// a verifier already registered).
    #[error("{reason}")]
    Conflict { code: &'static str, reason: String },
    /// The caller did not say who it is, or is not who it says.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this.
    #[error("{reason}")]
    Forbidden { code: &'static str, reason: String },
    /// A linkage message that was not accepted (signature, sender, freshness).
    #[error("{0}")]
    Rejected(String),
    #[error("this J-LIS node was started without a hub (--hub)")]
    NoHub,
    /// The hub, asked for an agency's code, failed.
    #[error("the hub: {0}")]
    Hub(String),
    /// Another node J-LIS relays to (a municipality's certificate server) failed.
    #[error("{0}")]
    Upstream(String),
    /// A failure of J-LIS's own (a lock, a stored value it cannot read, no random source).
    #[error("{0}")]
    Internal(String),
}

impl JlisError {
    pub(crate) fn invalid(field: &'static str, reason: impl ToString) -> Self {
        Self::Invalid { field, reason: reason.to_string() }
    }

    pub(crate) fn internal(e: impl ToString) -> Self {
        Self::Internal(e.to_string())
    }

    pub(crate) fn conflict(code: &'static str, reason: impl ToString) -> Self {
        Self::Conflict { code, reason: reason.to_string() }
    }

    pub(crate) fn forbidden(code: &'static str, reason: impl ToString) -> Self {
        Self::Forbidden { code, reason: reason.to_string() }
    }
}
