//! A client of the hub's log as tiles: the checkpoint, opened with the note key, and the hash
//! tiles a proof needs, from which the client builds the proof itself — the hub only serves
//! bytes. `myna log verify` and the benches use it; any other tile client can do the same.

use std::collections::HashMap;
use std::sync::Arc;

use myna_link::{
    merkle::{self, Hash, Nodes, ProofError},
    note::{self, Checkpoint},
    tiles::{Needed, TileHashes, TileId, TileSet, WIDTH},
};

use crate::hub::LOG_ORIGIN;

#[derive(Debug, thiserror::Error)]
pub enum TileClientError {
    #[error("{url}: {reason}")]
    Http { url: String, reason: String },
    #[error("the checkpoint: {0}")]
    Note(#[from] note::NoteError),
    #[error("tile {path}: {reason}")]
    BadTile { path: String, reason: String },
    #[error(transparent)]
    Proof(#[from] ProofError),
}

/// Reads tiles from `base` (the hub's URL) over `client`, keeping the full ones it has read.
pub struct TileClient {
    client: reqwest::Client,
    base: String,
    full: HashMap<(u8, u64), Arc<TileHashes>>,
}

impl TileClient {
    pub fn new(client: reqwest::Client, hub: &str) -> Self {
        Self { client, base: hub.trim_end_matches('/').to_string(), full: HashMap::new() }
    }

    async fn get(&self, path: &str) -> Result<Vec<u8>, TileClientError> {
        let url = format!("{}/v1/log/{path}", self.base);
        let http = |reason: String| TileClientError::Http { url: url.clone(), reason };
        let res = self.client.get(&url).send().await.map_err(|e| http(e.to_string()))?;
        if !res.status().is_success() {
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            return Err(http(format!("{status}: {body}")));
        }
        Ok(res.bytes().await.map_err(|e| http(e.to_string()))?.to_vec())
    }

    /// The hub's note verifier key, as it serves it.
    pub async fn vkey(&self) -> Result<String, TileClientError> {
        Ok(String::from_utf8_lossy(&self.get("vkey").await?).trim().to_string())
    }

    /// The latest checkpoint, its signature checked with `vkey`: the note's text and what it says.
    pub async fn checkpoint(&self, vkey: &str) -> Result<(String, Checkpoint), TileClientError> {
        let text = String::from_utf8_lossy(&self.get("checkpoint").await?).to_string();
        let c = note::open(&text, vkey, LOG_ORIGIN)?;
        Ok((text, c))
    }

    /// Fetches the tiles `needed` names (the full ones once), at the widths a tree of `size` has.
    pub async fn tiles(&mut self, needed: Vec<TileId>, size: u64) -> Result<TileSet, TileClientError> {
        let mut set = TileSet::default();
        for t in needed {
            let width = myna_link::tiles::width_at(size, t.level, t.index);
            let id = TileId { width, ..t };
            if let Some(h) = self.full.get(&(t.level, t.index)) {
                set.insert(t.level, t.index, h.clone());
                continue;
            }
            let path = id.path();
            let body = self.get(&path).await?;
            let bad = |reason: &str| TileClientError::BadTile { path: path.clone(), reason: reason.into() };
            let h = TileHashes::from_bytes(&body).ok_or_else(|| bad("not a whole number of 32-byte hashes"))?;
            if h.width() != width as usize {
                return Err(bad(&format!("{} hashes where {width} were asked for", h.width())));
            }
            let h = Arc::new(h);
            if width as usize == WIDTH {
                self.full.insert((t.level, t.index), h.clone());
            }
            set.insert(t.level, t.index, h);
        }
        Ok(set)
    }

    /// Runs `f` on the tree of `size` from the tiles it reads (a dry run names them first).
    pub async fn over<T>(
        &mut self,
        size: u64,
        f: impl Fn(&dyn Nodes) -> Result<T, ProofError>,
    ) -> Result<T, TileClientError> {
        let needed = Needed::default();
        f(&needed)?;
        let set = self.tiles(needed.tiles(), size).await?;
        Ok(f(&set)?)
    }

    /// The root of the tree of `size` as the tiles give it.
    pub async fn root(&mut self, size: u64) -> Result<Hash, TileClientError> {
        self.over(size, |t| merkle::root_of(t, size)).await
    }

    pub async fn inclusion(&mut self, index: u64, size: u64) -> Result<Vec<Hash>, TileClientError> {
        self.over(size, |t| merkle::inclusion_of(t, index, size)).await
    }

    pub async fn consistency(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, TileClientError> {
        self.over(new, |t| merkle::consistency_of(t, old, new)).await
    }
}
