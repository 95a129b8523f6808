//! The hub's transparency log, kept as C2SP `tlog-tiles`: appends are queued and written in
//! groups (one transaction per group, durable before anyone is answered), each with the full
//! hash tiles it completed; then a new head is signed, as a JWS for the network's own clients
//! and as a signed-note checkpoint for any tile client. In memory the hub holds only the right
//! edge of the tree (at most 255 hashes per level) and a bounded cache of full tiles; proofs
//! read the tiles they need.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use myna_link::{
    Entry, NodeKey, TreeHead,
    merkle::{self, Hash, Nodes, ProofError},
    note::{Checkpoint, NoteSigner},
    tiles::{Edge, FullTile, Needed, TileHashes, TileId, TileSet, WIDTH, bundle, tiles_at, width_at},
};
use myna_store::{StorageCondition, StoreError};

use super::store::{HubStore, NewEntry};
use tokio::sync::{mpsc, oneshot};

use crate::wire::now_ms;

/// The most entries written in one transaction.
const GROUP: usize = 8192;

/// How long the busy log waits for more entries before it commits a group (an exchange's
/// entry is one step of its path: `myna_store::next_group`).
const GATHER: std::time::Duration = std::time::Duration::from_micros(500);
/// The log's origin line and note-key name: a name, not an address (no such host exists).
pub const ORIGIN: &str = "hub.myna.invalid/log";
/// Full tiles kept in memory (about 16 KiB each with their inner levels): recent ones, for
/// the proofs of recent entries, which are most of those asked for.
const CACHE: usize = 2048;

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
    /// An entry bundle holds an entry whose text the 7-year retention has cleared.
    #[error("entry {0} is past its retention period; its leaf hash stays in the tiles")]
    Expired(u64),
    #[error("entry bundle: {0}")]
    Bundle(String),
}

/// The latest signed tree head.
#[derive(Debug, Clone)]
pub struct SignedHead {
    pub head: TreeHead,
    /// The hub's compact JWS over `head`.
    pub jws: String,
    /// The same head as a C2SP signed note (`checkpoint`).
    pub checkpoint: String,
}

#[derive(Clone)]
struct Snapshot {
    edge: Arc<Edge>,
    head: SignedHead,
}

struct Job {
    entry: Entry,
    reply: oneshot::Sender<Result<(u64, String), LogError>>,
}

/// Recently used full tiles; emptied when full (a tile is cheap to read again).
#[derive(Default)]
struct Cache(Mutex<HashMap<(u8, u64), Arc<TileHashes>>>);

impl Cache {
    fn get(&self, key: (u8, u64)) -> Option<Arc<TileHashes>> {
        self.0.lock().ok()?.get(&key).cloned()
    }

    fn put(&self, key: (u8, u64), t: Arc<TileHashes>) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= CACHE {
                m.clear();
            }
            m.insert(key, t);
        }
    }
}

struct Signers {
    key: Arc<NodeKey>,
    note: NoteSigner,
}

impl Signers {
    fn sign(&self, edge: &Edge) -> Result<SignedHead, LogError> {
        let size = edge.size();
        let root = merkle::root_of(&edge.tiles(), size)?;
        let head = TreeHead { size, root: hex::encode(root), at: now_ms() };
        let jws = self.key.sign(&head).map_err(|e| LogError::Sign(e.to_string()))?;
        let checkpoint = self.note.sign(&Checkpoint { origin: ORIGIN.to_string(), size, root });
        Ok(SignedHead { head, jws, checkpoint })
    }
}

pub struct Log {
    now: Arc<RwLock<Snapshot>>,
    cache: Arc<Cache>,
    store: HubStore,
    vkey: String,
    jobs: mpsc::Sender<Job>,
}

/// The roots of full tiles: the hashes one level up.
fn roots(tiles: &[TileHashes]) -> Result<Vec<Hash>, StoreError> {
    tiles.iter().map(|t| t.root().ok_or_else(|| StoreError::Corrupt("a stored hash tile is not full".into()))).collect()
}

/// Writes the full tiles a log from before tiles lacks, level by level, from its leaf hashes.
async fn backfill(store: &HubStore, size: u64) -> Result<(), StoreError> {
    let w = WIDTH as u64;
    for level in 0u8.. {
        let (full, _) = tiles_at(size, level);
        if full == 0 {
            return Ok(());
        }
        let mut have = store.tile_count(level).await?;
        if have > full {
            return Err(StoreError::Corrupt(format!(
                "level {level} has {have} hash tiles; a log of {size} has {full}"
            )));
        }
        if have < full {
            tracing::info!(level, from = have, to = full, "writing the log's missing hash tiles");
        }
        while have < full {
            let n = (full - have).min(64);
            let mut batch = Vec::with_capacity(n as usize);
            if level == 0 {
                let leaves = store.leaves(have * w, (have + n) * w).await?;
                for (i, c) in leaves.chunks_exact(WIDTH).enumerate() {
                    batch.push(FullTile::new(level, have + i as u64, c.to_vec()));
                }
            } else {
                for t in have..have + n {
                    let hashes = roots(&store.tile_range(level - 1, t * w, (t + 1) * w).await?)?;
                    batch.push(FullTile::new(level, t, hashes));
                }
            }
            store.put_tiles(&batch).await?;
            have += n;
        }
    }
    Ok(())
}

/// The right edge of the stored log: the last leaves and the roots of the last full tiles.
async fn edge_of(store: &HubStore) -> Result<Edge, StoreError> {
    let size = store.size().await?;
    backfill(store, size).await?;
    let w = WIDTH as u64;
    let mut parts = Vec::new();
    for level in 0u8.. {
        let (full, partial) = tiles_at(size, level);
        if (full, partial) == (0, 0) {
            break;
        }
        let (from, to) = (full * w, full * w + u64::from(partial));
        parts.push(if level == 0 {
            store.leaves(from, to).await?
        } else {
            roots(&store.tile_range(level - 1, from, to).await?)?
        });
    }
    Edge::from_parts(size, parts).map_err(StoreError::Corrupt)
}

impl Log {
    /// Reads the log's edge from `store` (writing tiles a log from before tiles lacks) and
    /// starts the writer.
    pub async fn open(store: HubStore, key: Arc<NodeKey>) -> Result<Self, LogError> {
        let seed = store.db().secret_or_init("hub_note_key").await?;
        let note = NoteSigner::from_seed(ORIGIN, &seed).map_err(|e| LogError::Sign(e.to_string()))?;
        let vkey = note.vkey();
        let signers = Signers { key, note };
        let edge = edge_of(&store).await?;
        let head = signers.sign(&edge)?;
        store.save_head(head.head.size, &head.head.root, head.head.at, &head.jws).await?;
        let now = Arc::new(RwLock::new(Snapshot { edge: Arc::new(edge), head }));
        let cache = Arc::new(Cache::default());
        let (tx, rx) = mpsc::channel(GROUP * 4);
        tokio::spawn(writer(store.clone(), signers, now.clone(), cache.clone(), rx));
        Ok(Self { now, cache, store, vkey, jobs: tx })
    }

    /// Appends waiting for the writer (a gauge for operators: it grows when the disk lags).
    pub fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Entries in the log, by its latest signed head.
    pub fn size(&self) -> u64 {
        self.now.read().map(|s| s.head.head.size).unwrap_or_default()
    }

    /// Appends `entry`; answers its index and exact bytes once durable.
    pub async fn append(&self, entry: Entry) -> Result<(u64, String), LogError> {
        let (reply, rx) = oneshot::channel();
        self.jobs.send(Job { entry, reply }).await.map_err(|_| LogError::Stopped)?;
        rx.await.map_err(|_| LogError::Stopped)?
    }

    fn snapshot(&self) -> Result<Snapshot, LogError> {
        Ok(self.now.read().map_err(|_| LogError::Stopped)?.clone())
    }

    pub fn head(&self) -> Result<SignedHead, LogError> {
        Ok(self.snapshot()?.head)
    }

    /// The note verifier key of the checkpoints (`name+id+key`).
    pub fn vkey(&self) -> &str {
        &self.vkey
    }

    /// The tiles `needed` names, from the edge of `snap`, the cache or the store. A tile the
    /// tree of `snap` does not have is left out; the proof that wants it names it.
    async fn tiles(&self, snap: &Snapshot, needed: Vec<TileId>) -> Result<TileSet, LogError> {
        let mut set = TileSet::default();
        let mut fetch = Vec::new();
        for t in needed {
            let (full, partial) = tiles_at(snap.edge.size(), t.level);
            if t.index < full {
                match self.cache.get((t.level, t.index)) {
                    Some(h) => set.insert(t.level, t.index, h),
                    None => fetch.push((t.level, t.index)),
                }
            } else if t.index == full && t.width <= partial {
                set.insert(t.level, t.index, Arc::new(snap.edge.partial(t.level)));
            }
        }
        if !fetch.is_empty() {
            for (key, h) in self.store.tiles(&fetch).await? {
                let h = Arc::new(h);
                self.cache.put(key, h.clone());
                set.insert(key.0, key.1, h);
            }
        }
        Ok(set)
    }

    /// Runs `f` against the current head twice: over a recorder, to learn which tiles it
    /// reads (a proof's shape depends on sizes only), then over those tiles.
    pub(super) async fn over_tiles<T>(
        &self,
        f: impl Fn(&dyn Nodes, &SignedHead) -> Result<T, ProofError>,
    ) -> Result<(T, SignedHead), LogError> {
        let snap = self.snapshot()?;
        let needed = Needed::default();
        f(&needed, &snap.head)?;
        let set = self.tiles(&snap, needed.tiles()).await?;
        let out = f(&set, &snap.head)?;
        Ok((out, snap.head))
    }

    /// PATH(index, D[size]) for any size up to the current one.
    pub async fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        let (p, _) = self.over_tiles(|t, h| merkle::inclusion_of(t, index, within(size, h)?)).await?;
        Ok(p)
    }

    /// PROOF(from, D[to]) for sizes up to the current one.
    pub async fn consistency(&self, from: u64, to: u64) -> Result<Vec<Hash>, LogError> {
        let (p, _) = self.over_tiles(|t, h| merkle::consistency_of(t, from, within(to, h)?)).await?;
        Ok(p)
    }

    /// A hash tile's body as served: the first `id.width` hashes of tile `id`, if the tree
    /// has them (a partial tile that has since filled is served as its prefix).
    pub async fn tile(&self, id: TileId) -> Result<Option<Vec<u8>>, LogError> {
        let snap = self.snapshot()?;
        if id.width > width_at(snap.edge.size(), id.level, id.index) {
            return Ok(None);
        }
        let set = self.tiles(&snap, vec![id]).await?;
        Ok(set.get(id.level, id.index).map(|t| t.bytes(id.width as usize)))
    }

    /// An entry bundle: the exact bytes of entries `256·index ..` (`width` of them).
    pub async fn entries(&self, id: TileId) -> Result<Option<Vec<u8>>, LogError> {
        let snap = self.snapshot()?;
        if id.width > width_at(snap.edge.size(), id.level, id.index) {
            return Ok(None);
        }
        let from = id.index * WIDTH as u64;
        let texts = self.store.entries(from, from + u64::from(id.width)).await?;
        let mut bodies = Vec::with_capacity(texts.len());
        for (i, t) in texts.iter().enumerate() {
            bodies.push(t.as_deref().ok_or(LogError::Expired(from + i as u64))?.as_bytes());
        }
        Ok(Some(bundle(&bodies).map_err(LogError::Bundle)?))
    }
}

/// `size` if the head has it.
fn within(size: u64, h: &SignedHead) -> Result<u64, ProofError> {
    if size > h.head.size { Err(ProofError::OutOfRange { have: h.head.size, asked: size }) } else { Ok(size) }
}

async fn writer(
    store: HubStore,
    signers: Signers,
    now: Arc<RwLock<Snapshot>>,
    cache: Arc<Cache>,
    mut rx: mpsc::Receiver<Job>,
) {
    let mut batch = Vec::with_capacity(GROUP);
    // After a failed append the store may hold more than the edge (a commit whose answer
    // was lost): the edge is read back from the store before the next group is numbered.
    let mut resync = false;
    while myna_store::next_group(&mut rx, &mut batch, GROUP, GATHER).await > 0 {
        if resync {
            match edge_of(&store).await {
                Ok(edge) => {
                    let Ok(mut s) = now.write() else { return };
                    if edge.size() != s.edge.size() {
                        tracing::warn!(stored = edge.size(), held = s.edge.size(), "log edge read back from the store");
                    }
                    s.edge = Arc::new(edge);
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
        let Ok(mut edge) = now.read().map(|s| (*s.edge).clone()) else { return };
        let first = edge.size();
        let mut full = Vec::new();
        for r in &rows {
            edge.push(r.leaf, &mut full);
        }
        // The new head is signed before the group is written and kept in the same
        // transaction (one fsync, not two); it is published only once that is durable.
        let signed = signers.sign(&edge);
        if let Err(e) = &signed {
            tracing::error!(error = %e, "signing the tree head");
        }
        let written = if ok {
            let head = signed.as_ref().ok().map(|h| (&h.head, h.jws.as_str()));
            store.append(first, &rows, &full, head).await.map_err(|e| (e.storage(), e.to_string()))
        } else {
            Err((None, "unserializable entry".into()))
        };
        match written {
            Ok(()) => {
                for f in full {
                    cache.put((f.level, f.index), f.hashes);
                }
                {
                    let Ok(mut s) = now.write() else { return };
                    s.edge = Arc::new(edge);
                    if let Ok(h) = signed {
                        s.head = h;
                    }
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
