#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    Url(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
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
    #[error("household {0} has nobody living in it")]
    NoSuchHousehold(u64),
}
