//! The hub's transparency log: appends are queued and written in groups (one transaction per
//! group, durable before anyone is answered), then added to the in-memory tree, and a new tree
//! head is signed. The tree is rebuilt from the stored leaf hashes at start.

use std::sync::{Arc, RwLock};

use myna_link::{
    Entry, NodeKey, TreeHead,
    merkle::{self, Tree},
};
use myna_store::{StorageCondition, StoreError};

use super::store::{HubStore, NewEntry};
use tokio::sync::{mpsc, oneshot};

use crate::wire::now_ms;

/// The most entries written in one transaction.
const GROUP: usize = 8192;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the log writer has stopped")]
    Stopped,
    #[error("the log could not be signed: {0}")]
    Sign(String),
    #[error(transparent)]
    Proof(#[from] merkle::ProofError),
    /// A group's append failed; every entry of it gets this (the driver's error is not Clone).
    #[error("the log could not be written: {reason}")]
    NotWritten { condition: Option<StorageCondition>, reason: String },
}

/// The latest signed tree head.
#[derive(Debug, Clone)]
pub struct SignedHead {
    pub head: TreeHead,
    /// The hub's compact JWS over `head`.
    pub jws: String,
}

struct Job {
    entry: Entry,
    reply: oneshot::Sender<Result<(u64, String), LogError>>,
}

pub struct Log {
    tree: Arc<RwLock<(Tree, SignedHead)>>,
    jobs: mpsc::Sender<Job>,
}

fn sign_head(key: &NodeKey, tree: &Tree) -> Result<SignedHead, LogError> {
    let size = tree.len();
    let head = TreeHead { size, root: hex::encode(tree.root(size)?), at: now_ms() };
    let jws = key.sign(&head).map_err(|e| LogError::Sign(e.to_string()))?;
    Ok(SignedHead { head, jws })
}

impl Log {
    /// Rebuilds the tree from `store` and starts the writer.
    pub async fn open(store: HubStore, key: Arc<NodeKey>) -> Result<Self, LogError> {
        let mut tree = Tree::new();
        for leaf in store.leaves().await? {
            tree.push(leaf);
        }
        let head = sign_head(&key, &tree)?;
        store.save_head(head.head.size, &head.head.root, head.head.at, &head.jws).await?;
        let tree = Arc::new(RwLock::new((tree, head)));
        let (tx, rx) = mpsc::channel(GROUP * 4);
        tokio::spawn(writer(store, key, tree.clone(), rx));
        Ok(Self { tree, jobs: tx })
    }

    /// Appends `entry`; answers its index and exact bytes once durable.
    pub async fn append(&self, entry: Entry) -> Result<(u64, String), LogError> {
        let (reply, rx) = oneshot::channel();
        self.jobs.send(Job { entry, reply }).await.map_err(|_| LogError::Stopped)?;
        rx.await.map_err(|_| LogError::Stopped)?
    }

    pub fn head(&self) -> Result<SignedHead, LogError> {
        Ok(self.tree.read().map_err(|_| LogError::Stopped)?.1.clone())
    }

    /// With the tree held steady: the signed head and what `f` computes against it.
    pub fn with_tree<T>(&self, f: impl FnOnce(&Tree, &SignedHead) -> Result<T, LogError>) -> Result<T, LogError> {
        let guard = self.tree.read().map_err(|_| LogError::Stopped)?;
        f(&guard.0, &guard.1)
    }
}

async fn writer(
    store: HubStore,
    key: Arc<NodeKey>,
    tree: Arc<RwLock<(Tree, SignedHead)>>,
    mut rx: mpsc::Receiver<Job>,
) {
    let mut batch = Vec::with_capacity(GROUP);
    // After a failed append the store may hold more than the tree (a commit whose answer
    // was lost): the tree is read back from the store before the next group is numbered.
    let mut resync = false;
    while rx.recv_many(&mut batch, GROUP).await > 0 {
        if resync {
            match store.leaves().await {
                Ok(leaves) => {
                    let Ok(mut t) = tree.write() else { return };
                    if leaves.len() as u64 != t.0.len() {
                        tracing::warn!(stored = leaves.len(), tree = t.0.len(), "log tree read back from the store");
                        let mut fresh = Tree::new();
                        for leaf in leaves {
                            fresh.push(leaf);
                        }
                        t.0 = fresh;
                    }
                    resync = false;
                }
                Err(e) => {
                    let (condition, reason) = (e.storage(), e.to_string());
                    for job in batch.drain(..) {
                        let _ = job.reply.send(Err(LogError::NotWritten { condition, reason: reason.clone() }));
                    }
                    continue;
                }
            }
        }
        let mut rows = Vec::with_capacity(batch.len());
        let mut ok = true;
        for job in &batch {
            match serde_json::to_string(&job.entry) {
                Ok(text) => rows.push(NewEntry {
                    at: job.entry.at,
                    requester: job.entry.requester.to_string(),
                    message: job.entry.message.to_string(),
                    subject: job.entry.subject.clone(),
                    leaf: merkle::leaf_hash(text.as_bytes()),
                    entry: text,
                }),
                Err(_) => ok = false,
            }
        }
        let first = match tree.read() {
            Ok(t) => t.0.len(),
            Err(_) => return,
        };
        let written = if ok {
            store.append(first, &rows).await.map_err(|e| (e.storage(), e.to_string()))
        } else {
            Err((None, "unserializable entry".into()))
        };
        match written {
            Ok(()) => {
                let head = {
                    let Ok(mut t) = tree.write() else { return };
                    for r in &rows {
                        t.0.push(r.leaf);
                    }
                    match sign_head(&key, &t.0) {
                        Ok(h) => {
                            t.1 = h.clone();
                            Some(h)
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "signing the tree head");
                            None
                        }
                    }
                };
                if let Some(h) = head
                    && let Err(e) = store.save_head(h.head.size, &h.head.root, h.head.at, &h.jws).await
                {
                    tracing::warn!(error = %e, "keeping the signed tree head");
                }
                for (i, (job, row)) in batch.drain(..).zip(rows).enumerate() {
                    let _ = job.reply.send(Ok((first + i as u64, row.entry)));
                }
            }
            Err((condition, reason)) => {
                resync = true;
                tracing::error!(error = %reason, entries = batch.len(), "log append failed; nothing of the group was acknowledged");
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(LogError::NotWritten { condition, reason: reason.clone() }));
                }
            }
        }
    }
}
