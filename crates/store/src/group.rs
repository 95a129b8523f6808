//! Group commit for append-only logs: every writer waits until its row is durable before it
//! is answered, and the rows waiting together share one transaction (one fsync), which is
//! what lets a log keep up with the rate of what it records (the health node's checks,
//! J-LIS's access log).

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::StoreError;

type Job<T> = (T, oneshot::Sender<Result<(), StoreError>>);

#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the log writer has stopped")]
    Stopped,
}

/// A writer task that commits rows in groups through `write`.
pub struct GroupCommit<T> {
    tx: mpsc::Sender<Job<T>>,
}

impl<T> GroupCommit<T> {
    /// Rows waiting for the writer (a gauge for operators: it grows when the disk lags).
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }
}

impl<T: Clone + Send + 'static> GroupCommit<T> {
    /// Starts the writer. `write` commits all the rows it is given in one transaction; when a
    /// group fails, its rows are written one by one, so one bad row fails only its writer.
    pub fn start<F, Fut>(max_group: usize, write: F) -> Self
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), StoreError>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<Job<T>>(max_group * 4);
        tokio::spawn(async move {
            let mut jobs: Vec<Job<T>> = Vec::with_capacity(max_group);
            while rx.recv_many(&mut jobs, max_group).await > 0 {
                let rows: Vec<T> = jobs.iter().map(|(r, _)| r.clone()).collect();
                let n = rows.len();
                match write(rows).await {
                    Ok(()) => {
                        for (_, done) in jobs.drain(..) {
                            let _ = done.send(Ok(()));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, rows = n, "group commit failed; writing one by one");
                        for (row, done) in jobs.drain(..) {
                            let _ = done.send(write(vec![row]).await);
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Returns once the row is committed.
    pub async fn write(&self, row: T) -> Result<(), GroupError> {
        let (done, wait) = oneshot::channel();
        self.tx.send((row, done)).await.map_err(|_| GroupError::Stopped)?;
        Ok(wait.await.map_err(|_| GroupError::Stopped)??)
    }
}
