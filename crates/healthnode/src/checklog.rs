//! The log of identity checks and consents, group-committed (`myna_store::GroupCommit`):
//! every reception waits for its row to be durable before it is answered.

use crate::store::{CheckRow, HealthStore};

pub use myna_store::GroupError as CheckLogError;

pub struct Writer(myna_store::GroupCommit<CheckRow>);

/// Rows per transaction at most.
const GROUP: usize = 2_000;

impl Writer {
    pub fn start(store: HealthStore) -> Self {
        Self(myna_store::GroupCommit::start(GROUP, move |rows: Vec<CheckRow>| {
            let store = store.clone();
            async move { store.log_checks(&rows).await }
        }))
    }

    /// Checks waiting to be written.
    pub fn queued(&self) -> usize {
        self.0.queued()
    }

    /// Returns once the row is committed.
    pub async fn write(&self, row: CheckRow) -> Result<(), CheckLogError> {
        self.0.write(row).await
    }
}
