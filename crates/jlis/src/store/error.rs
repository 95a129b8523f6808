use myna_store::StoreError;

/// Why the registry's store refused or failed: what a clerk's request got wrong (an event that
/// does not apply, an unknown resident, a reused idempotency key), or the database's error.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no resident with record code {0}")]
    NoSuchResident(String),
    #[error("idempotency key {0:?} was already used for a different request")]
    IdempotencyConflict(String),
    #[error(transparent)]
    Event(#[from] myna_registry::EventError),
    #[error("number issuance: {0}")]
    Issue(#[from] myna_number::IssueError),
    #[error(transparent)]
    Date(#[from] myna_registry::DateError),
    #[error("a bulk load needs an empty registry; this one has {0} residents (record them as events instead)")]
    NotEmpty(i64),
    #[error("a number-issuing thread stopped before it finished; nothing of the batch was written")]
    IssuerThread,
    #[error(transparent)]
    NotItsResident(#[from] myna_registry::NotItsResident),
    #[error("household {0} has nobody living in it")]
    NoSuchHousehold(u64),
}

impl From<sqlx::Error> for RegistryError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl RegistryError {
    pub(crate) fn corrupt(what: String) -> Self {
        Self::Store(StoreError::Corrupt(what))
    }

    /// The storage condition behind this error, if any (see [`StoreError::storage`]).
    pub fn storage(&self) -> Option<myna_store::StorageCondition> {
        match self {
            Self::Store(e) => e.storage(),
            _ => None,
        }
    }
}
