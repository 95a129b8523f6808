//! The log of identity checks and consents, group-committed: every reception waits for its
//! row to be durable before it is answered, and the rows waiting together share one
//! transaction (one fsync), which is what lets the log keep up with the check rate.

use myna_store::StoreError;

use crate::store::{CheckRow, HealthStore};
use tokio::sync::{mpsc, oneshot};

type Job = (CheckRow, oneshot::Sender<Result<(), StoreError>>);

#[derive(Debug, thiserror::Error)]
pub enum CheckLogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the check log has stopped")]
    Stopped,
}

pub struct Writer {
    tx: mpsc::Sender<Job>,
}

/// Rows per transaction at most.
const GROUP: usize = 2_000;

impl Writer {
    pub fn start(store: HealthStore) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(GROUP * 4);
        tokio::spawn(async move {
            let mut jobs: Vec<Job> = Vec::with_capacity(GROUP);
            while rx.recv_many(&mut jobs, GROUP).await > 0 {
                let rows: Vec<CheckRow> = jobs.iter().map(|(r, _)| r.clone()).collect();
                match store.log_checks(&rows).await {
                    Ok(()) => {
                        for (_, done) in jobs.drain(..) {
                            let _ = done.send(Ok(()));
                        }
                    }
                    // One bad row must not fail the others: write them one by one.
                    Err(e) => {
                        tracing::warn!(error = %e, rows = rows.len(), "group commit failed; writing one by one");
                        for (row, done) in jobs.drain(..) {
                            let r = store.log_checks(std::slice::from_ref(&row)).await;
                            let _ = done.send(r);
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Returns once the row is committed.
    pub async fn write(&self, row: CheckRow) -> Result<(), CheckLogError> {
        let (done, wait) = oneshot::channel();
        self.tx.send((row, done)).await.map_err(|_| CheckLogError::Stopped)?;
        Ok(wait.await.map_err(|_| CheckLogError::Stopped)??)
    }
}
