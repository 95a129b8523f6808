//! Why the portal did not do what it was asked: at start, or for one request. Pages show
//! these to the resident or clerk; the machine API gives each a status in one `From`
//! (`api.rs`).

use myna_link::audit::LogAlarm;
use myna_linkage::agency::AgencyError;
use myna_node::CallError;
use myna_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("setup: {0}")]
    Setup(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tls(#[from] myna_node::TlsError),
    /// The portal's own linkage node (its queries, its code for a resident).
    #[error("{}", .0.reason())]
    Agency(#[from] AgencyError),
    /// The hub or J-LIS, called directly (the log's read API, the card check).
    #[error(transparent)]
    Call(#[from] CallError),
    /// The hub's log failed a check: its records cannot be trusted (or its answer is unreadable).
    #[error("{0}")]
    Log(#[from] LogAlarm),
    /// A field of what was sent that the sender must fix.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the municipality, login or password is wrong")]
    LoginRefused,
    #[error("too many wrong passwords for this account: try again in {minutes} minutes")]
    LoginLocked { minutes: i64 },
    /// A failure of the portal's own (a signature it could not make, no session slot).
    #[error("{0}")]
    Internal(String),
}

impl PortalError {
    pub(crate) fn setup(e: impl std::fmt::Display) -> Self {
        Self::Setup(e.to_string())
    }

    pub(crate) fn invalid(field: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Invalid { field, reason: reason.to_string() }
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// An answer of the hub's that could not be read (not a forgery: a broken message).
    pub(crate) fn malformed(e: impl std::fmt::Display) -> Self {
        Self::Log(LogAlarm::Malformed(e.to_string()))
    }
}
