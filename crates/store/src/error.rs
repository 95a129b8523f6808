#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(sqlx::Error),
    /// An error of the SQLite writer thread ([`crate::Batch`]).
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    Url(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(
        "this database has schema {0}, written by a development build before the compact layout; \
         regenerate it (myna population generate) or remove the file"
    )]
    RetiredSchema(i64),
    #[error("{0}")]
    Conflict(String),
    #[error("the database cannot be written ({0}), so the node does not start: {1}")]
    NotWritable(&'static str, String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        crate::write::observe(&e);
        StoreError::Db(e)
    }
}

impl StoreError {
    /// The storage condition behind this error (full, read-only, failing, unreachable), for
    /// a refusal that says so instead of "internal error".
    pub fn storage(&self) -> Option<crate::StorageCondition> {
        match self {
            StoreError::Db(e) => crate::StorageCondition::of(e),
            StoreError::Sqlite(e) => crate::StorageCondition::of_lite(e),
            _ => None,
        }
    }
}
