//! The hub's full hash tiles (`hub_tiles`): written with the append that fills them, read
//! for proofs and served as they are. Partial tiles are never stored.

use std::collections::HashMap;

use myna_link::tiles::{FullTile, TileHashes};
use myna_store::{Batch, Param, StoreError};
use sqlx::Row;

use super::store::HubStore;

/// Tiles per INSERT: 3 parameters each, and 8 KiB of hashes.
const CHUNK: usize = 64;

fn tile_of(level: i64, idx: i64, bytes: &[u8]) -> Result<TileHashes, StoreError> {
    TileHashes::from_bytes(bytes)
        .filter(|t| t.width() == myna_link::tiles::WIDTH)
        .ok_or_else(|| StoreError::Corrupt(format!("hash tile {level}/{idx} is not 256 hashes")))
}

impl HubStore {
    /// Adds the writes of `tiles` to `batch`. A tile already there is left as it is: tiles
    /// never change, and one written again (a backfill racing nothing) has the same bytes.
    pub(super) fn insert_tiles(&self, batch: &mut Batch, tiles: &[FullTile]) {
        for chunk in tiles.chunks(CHUNK) {
            let mut sql = self.db().insert_rows("INSERT INTO hub_tiles (level, idx, hashes) VALUES", chunk.len(), 3);
            sql.push_str(" ON CONFLICT (level, idx) DO NOTHING");
            let mut params = Vec::with_capacity(chunk.len() * 3);
            for t in chunk {
                params.extend([Param::Int(i64::from(t.level)), Param::Int(t.index as i64), Param::Blob(t.bytes())]);
            }
            batch.push(sql, params);
        }
    }

    /// Writes tiles computed from the log (the backfill of a log from before tiles).
    pub async fn put_tiles(&self, tiles: &[FullTile]) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        self.insert_tiles(&mut batch, tiles);
        self.db().write_batch(batch).await
    }

    /// How many full tiles level `level` has stored: one past the highest index.
    pub async fn tile_count(&self, level: u8) -> Result<u64, StoreError> {
        let r = sqlx::query("SELECT MAX(idx) FROM hub_tiles WHERE level = $1")
            .bind(i64::from(level))
            .fetch_one(&self.db().pool)
            .await?;
        Ok(r.try_get::<Option<i64>, _>(0)?.map_or(0, |m| m as u64 + 1))
    }

    /// Full tiles `from .. to` of `level`, in order; a gap is corruption.
    pub async fn tile_range(&self, level: u8, from: u64, to: u64) -> Result<Vec<TileHashes>, StoreError> {
        let rows =
            sqlx::query("SELECT idx, hashes FROM hub_tiles WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx")
                .bind(i64::from(level))
                .bind(from as i64)
                .bind(to as i64)
                .fetch_all(&self.db().pool)
                .await?;
        if rows.len() as u64 != to.saturating_sub(from) {
            return Err(StoreError::Corrupt(format!("level {level} lacks hash tiles in {from}..{to}")));
        }
        rows.iter().map(|r| tile_of(i64::from(level), r.try_get(0)?, &r.try_get::<Vec<u8>, _>(1)?)).collect()
    }

    /// The full tiles named by `keys` (level, index) that are stored.
    pub async fn tiles(&self, keys: &[(u8, u64)]) -> Result<HashMap<(u8, u64), TileHashes>, StoreError> {
        let mut out = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let clauses: Vec<String> =
                (0..chunk.len()).map(|i| format!("(level = ${} AND idx = ${})", 2 * i + 1, 2 * i + 2)).collect();
            let sql = format!("SELECT level, idx, hashes FROM hub_tiles WHERE {}", clauses.join(" OR "));
            let mut q = sqlx::query(&sql);
            for (level, idx) in chunk {
                q = q.bind(i64::from(*level)).bind(*idx as i64);
            }
            for r in q.fetch_all(&self.db().pool).await? {
                let (level, idx): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
                let t = tile_of(level, idx, &r.try_get::<Vec<u8>, _>(2)?)?;
                out.insert((level as u8, idx as u64), t);
            }
        }
        Ok(out)
    }
}
