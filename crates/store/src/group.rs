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

/// The next group: what is waiting (at least one row, or 0 once every sender is gone), up to
/// `max`. With a `gather` time, when the log is busy (rows arrived while the last group was
/// being committed: they are waiting now) and the group is small, it first waits that
/// long for more, as PostgreSQL's `commit_delay` does. That is for a log whose writers are
/// a step of a longer path (an exchange writes three logs between its signatures): there a
/// commit of one or two rows was the common case (fsync is fast here), each paying an fsync
/// and rewriting the same last pages of the table and its indexes, and the wait costs
/// nothing while the other steps keep the processor busy. A log that every request waits
/// for (the eligibility check log) would only idle: it gathers nothing (`Duration::ZERO`).
/// A group at least this large is committed at once, gathering or not.
const SMALL: usize = 16;

pub async fn next_group<J>(
    rx: &mut mpsc::Receiver<J>,
    jobs: &mut Vec<J>,
    max: usize,
    gather: std::time::Duration,
) -> usize {
    let busy = !rx.is_empty();
    let n = rx.recv_many(jobs, max).await;
    // A group of many already shares its fsync well (256 writers appending: waiting there
    // only idled them, half the rate).
    if n == 0 || !busy || gather.is_zero() || jobs.len() >= max.min(SMALL) {
        return n;
    }
    tokio::time::sleep(gather).await;
    while jobs.len() < max {
        match rx.try_recv() {
            Ok(j) => jobs.push(j),
            Err(_) => break,
        }
    }
    jobs.len()
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
        Self::start_gathering(max_group, std::time::Duration::ZERO, write)
    }

    /// [`Self::start`], a busy log waiting `gather` for more rows before each group (see
    /// [`next_group`]).
    pub fn start_gathering<F, Fut>(max_group: usize, gather: std::time::Duration, write: F) -> Self
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), StoreError>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<Job<T>>(max_group * 4);
        tokio::spawn(async move {
            let mut jobs: Vec<Job<T>> = Vec::with_capacity(max_group);
            while next_group(&mut rx, &mut jobs, max_group, gather).await > 0 {
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
