//! The exchange log as C2SP `tlog-tiles` (https://c2sp.org/tlog-tiles): hash tiles of 256,
//! each holding one stripe of 8 tree levels by its bottom level only; tile paths; entry
//! bundles; and the right edge of the tree, which is all a writer keeps in memory.
//!
//! Written here rather than taken from a crate: the two Rust ports of Go's `tlog` are young
//! and would bring a second copy of the signing stack; the format is small and is checked
//! against Go's original `golang.org/x/mod/sumdb/tlog` in the hub's tests.

use std::collections::HashMap;
use std::sync::Arc;

use crate::merkle::{Hash, Nodes, ProofError, leaf_hash, node_hash};

/// Hashes per full tile (the spec's fixed width).
pub const WIDTH: usize = 256;
/// Tree levels per tile.
const HEIGHT: u32 = 8;

/// One tile (or entry bundle) as named by its path: `level` (0 = leaf hashes), `index`, and
/// `width` (256 for a full tile, fewer for the partial one at the right edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub level: u8,
    pub index: u64,
    pub width: u16,
}

/// What a tile path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    Hashes(TileId),
    /// Entry bundle `index` (level unused, 0).
    Entries(TileId),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a tile path ({0}): expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], N as x001/x234/067")]
pub struct BadTilePath(pub String);

impl TileId {
    pub fn is_full(&self) -> bool {
        self.width as usize == WIDTH
    }

    /// The index as the spec writes it: 3-digit elements, all but the last prefixed `x`,
    /// and `.p/<W>` for a partial tile.
    fn index_path(&self) -> String {
        let mut groups = Vec::new();
        let mut n = self.index;
        loop {
            groups.push(n % 1000);
            n /= 1000;
            if n == 0 {
                break;
            }
        }
        let mut out: Vec<String> = groups.iter().rev().map(|g| format!("x{g:03}")).collect();
        if let Some(last) = out.last_mut() {
            last.remove(0);
        }
        let mut s = out.join("/");
        if !self.is_full() {
            s.push_str(&format!(".p/{}", self.width));
        }
        s
    }

    /// `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, self.index_path())
    }

    /// `tile/entries/<N>[.p/<W>]`.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}", self.index_path())
    }
}

impl TilePath {
    /// Parses what follows `tile/`, strictly (a second spelling of one tile would defeat caching).
    pub fn parse(rest: &str) -> Result<Self, BadTilePath> {
        let bad = || BadTilePath(rest.to_string());
        let (head, tail) = rest.split_once('/').ok_or_else(bad)?;
        let (index_part, width) = match tail.split_once(".p/") {
            Some((i, w)) => {
                let w: u16 = w.parse().map_err(|_| bad())?;
                if w == 0 || w as usize >= WIDTH || w.to_string() != tail.rsplit('/').next().unwrap_or("") {
                    return Err(bad());
                }
                (i, w)
            }
            None => (tail, WIDTH as u16),
        };
        let elems: Vec<&str> = index_part.split('/').collect();
        let mut index: u64 = 0;
        for (i, e) in elems.iter().enumerate() {
            let digits = if i + 1 < elems.len() { e.strip_prefix('x').ok_or_else(bad)? } else { e };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let d: u64 = digits.parse().map_err(|_| bad())?;
            index = index.checked_mul(1000).and_then(|n| n.checked_add(d)).ok_or_else(bad)?;
        }
        // No leading zero groups: x000/001 is 001.
        if elems.len() > 1 && elems[0] == "x000" {
            return Err(bad());
        }
        if head == "entries" {
            return Ok(TilePath::Entries(TileId { level: 0, index, width }));
        }
        let level: u8 = head.parse().map_err(|_| bad())?;
        if level > 63 || level.to_string() != head {
            return Err(bad());
        }
        Ok(TilePath::Hashes(TileId { level, index, width }))
    }
}

/// The tile that holds the node at `height`, `index`, and how many of its hashes it needs.
fn locate(height: u32, index: u64) -> TileId {
    let level = height / HEIGHT;
    let r = height % HEIGHT;
    let first = index << r;
    let within = (first % WIDTH as u64) as u16;
    TileId { level: level as u8, index: first / WIDTH as u64, width: within + (1u16 << r) }
}

/// The tiles a tree of `size` entries has at `level`: its full ones and the partial one.
pub fn tiles_at(size: u64, level: u8) -> (u64, u16) {
    let n = size >> (HEIGHT * u32::from(level));
    (n / WIDTH as u64, (n % WIDTH as u64) as u16)
}

/// The width tile `(level, index)` has in a tree of `size` entries (0 if it has none).
pub fn width_at(size: u64, level: u8, index: u64) -> u16 {
    let (full, partial) = tiles_at(size, level);
    if index < full {
        WIDTH as u16
    } else if index == full {
        partial
    } else {
        0
    }
}

/// One tile's hashes with every level within it computed: `levels[r][j]` is the node of
/// height `8·level + r`, `j`-th in the tile.
#[derive(Debug, Clone)]
pub struct TileHashes {
    levels: Vec<Vec<Hash>>,
}

impl TileHashes {
    pub fn new(bottom: Vec<Hash>) -> Self {
        let mut levels = vec![bottom];
        for _ in 1..HEIGHT {
            let below = levels.last().map(Vec::as_slice).unwrap_or_default();
            let up: Vec<Hash> = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
            levels.push(up);
        }
        Self { levels }
    }

    /// From stored bytes (a whole number of 32-byte hashes).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if !bytes.len().is_multiple_of(32) || bytes.len() > WIDTH * 32 {
            return None;
        }
        Some(Self::new(bytes.chunks_exact(32).map(|c| c.try_into().unwrap_or([0; 32])).collect()))
    }

    pub fn width(&self) -> usize {
        self.levels[0].len()
    }

    /// The first `width` hashes as the tile's body.
    pub fn bytes(&self, width: usize) -> Vec<u8> {
        self.levels[0].iter().take(width).flatten().copied().collect()
    }

    /// The root of a full tile: the node one level up.
    pub fn root(&self) -> Option<Hash> {
        let top = self.levels.last()?;
        (self.width() == WIDTH).then(|| node_hash(&top[0], &top[1]))
    }
}

/// The tiles a set of proofs needs, found by running the proofs over a recorder.
#[derive(Debug, Default)]
pub struct Needed {
    tiles: std::cell::RefCell<HashMap<(u8, u64), u16>>,
}

impl Nodes for Needed {
    fn node(&self, height: u32, index: u64) -> Result<Hash, ProofError> {
        let t = locate(height, index);
        let mut tiles = self.tiles.borrow_mut();
        let w = tiles.entry((t.level, t.index)).or_insert(0);
        *w = (*w).max(t.width);
        Ok([0; 32])
    }
}

impl Needed {
    /// Each tile needed with the least width it must have.
    pub fn tiles(self) -> Vec<TileId> {
        let mut v: Vec<TileId> =
            self.tiles.into_inner().into_iter().map(|((level, index), width)| TileId { level, index, width }).collect();
        v.sort_by_key(|t| (t.level, t.index));
        v
    }
}

/// Tiles at hand, as the source of a proof's hashes.
#[derive(Debug, Default, Clone)]
pub struct TileSet {
    tiles: HashMap<(u8, u64), Arc<TileHashes>>,
}

impl TileSet {
    pub fn get(&self, level: u8, index: u64) -> Option<&Arc<TileHashes>> {
        self.tiles.get(&(level, index))
    }

    pub fn insert(&mut self, level: u8, index: u64, t: Arc<TileHashes>) {
        self.tiles.insert((level, index), t);
    }
}

impl Nodes for TileSet {
    fn node(&self, height: u32, index: u64) -> Result<Hash, ProofError> {
        let t = locate(height, index);
        let r = (height % HEIGHT) as usize;
        let missing = ProofError::MissingTile { level: t.level, index: t.index, width: t.width };
        let tile = self.tiles.get(&(t.level, t.index)).ok_or(missing.clone())?;
        let j = ((index << r) % WIDTH as u64) as usize >> r;
        tile.levels[r].get(j).copied().ok_or(missing)
    }
}

/// The right edge of the tree: the partial tile of each level and the size. With the full
/// tiles (stored), it is the whole tree; without them it is all a writer needs to append.
#[derive(Debug, Clone, Default)]
pub struct Edge {
    size: u64,
    /// `partial[L]`: the hashes of level-L's partial tile (fewer than 256).
    partial: Vec<Vec<Hash>>,
}

/// A tile that became full by an append: stored once, never changed. Its inner levels are
/// computed once, for its root, and kept for the cache of whoever stored it.
#[derive(Debug, Clone)]
pub struct FullTile {
    pub level: u8,
    pub index: u64,
    pub hashes: Arc<TileHashes>,
}

impl FullTile {
    pub fn new(level: u8, index: u64, hashes: Vec<Hash>) -> Self {
        Self { level, index, hashes: Arc::new(TileHashes::new(hashes)) }
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.hashes.bytes(WIDTH)
    }
}

impl Edge {
    /// The edge of a tree of `size` entries from its partial tiles (bottom level first).
    pub fn from_parts(size: u64, partial: Vec<Vec<Hash>>) -> Result<Self, String> {
        for (l, p) in partial.iter().enumerate() {
            let (_, w) = tiles_at(size, l as u8);
            if p.len() != w as usize {
                return Err(format!("level {l} of a tree of {size} has {w} edge hashes, {} given", p.len()));
            }
        }
        Ok(Self { size, partial })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; a tile it fills is pushed to `full`.
    pub fn push(&mut self, leaf: Hash, full: &mut Vec<FullTile>) {
        self.size += 1;
        let mut hash = leaf;
        let mut level = 0usize;
        loop {
            if self.partial.len() == level {
                self.partial.push(Vec::with_capacity(WIDTH));
            }
            self.partial[level].push(hash);
            if self.partial[level].len() < WIDTH {
                return;
            }
            let (done, _) = tiles_at(self.size, level as u8);
            let tile = FullTile::new(level as u8, done - 1, std::mem::take(&mut self.partial[level]));
            let Some(root) = tile.hashes.root() else { return };
            full.push(tile);
            hash = root;
            level += 1;
        }
    }

    /// Appends entries by their exact bytes.
    pub fn push_entry(&mut self, entry: &[u8], full: &mut Vec<FullTile>) {
        self.push(leaf_hash(entry), full);
    }

    /// The partial tile of `level` (possibly empty).
    pub fn partial(&self, level: u8) -> TileHashes {
        TileHashes::new(self.partial.get(level as usize).cloned().unwrap_or_default())
    }

    /// The partial tiles as a [`TileSet`]: enough for the root (every complete subtree of
    /// the root's decomposition lies in a level's partial tile), not for every proof.
    pub fn tiles(&self) -> TileSet {
        let mut set = TileSet::default();
        for (l, p) in self.partial.iter().enumerate() {
            let (full, _) = tiles_at(self.size, l as u8);
            set.insert(l as u8, full, Arc::new(TileHashes::new(p.clone())));
        }
        set
    }

    /// Levels that have or had a tile: 1 + the highest level with a hash.
    pub fn levels(&self) -> u8 {
        let mut l = 0u8;
        while tiles_at(self.size, l) != (0, 0) {
            l += 1;
        }
        l
    }
}

/// An entry bundle: each entry prefixed by its length as a big-endian u16.
pub fn bundle(entries: &[&[u8]]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let n = u16::try_from(e.len()).map_err(|_| format!("entry {i} is over 65,535 bytes"))?;
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// The entries of a bundle, or why it is not one.
pub fn unbundle(mut bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let [a, b, rest @ ..] = bytes else { return Err("a bundle ends inside a length".into()) };
        let n = u16::from_be_bytes([*a, *b]) as usize;
        if rest.len() < n {
            return Err(format!("entry {} claims {n} bytes; {} remain", out.len(), rest.len()));
        }
        out.push(&rest[..n]);
        bytes = &rest[n..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{self, Tree};

    fn hashes(n: u64) -> Vec<Hash> {
        (0..n).map(|i| merkle::leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    /// Builds the tiles of `n` entries: full tiles as stored, plus the edge.
    fn build(n: u64) -> (Edge, Vec<FullTile>, Tree) {
        let (mut e, mut full, mut t) = (Edge::default(), Vec::new(), Tree::new());
        for h in hashes(n) {
            e.push(h, &mut full);
            t.push(h);
        }
        (e, full, t)
    }

    fn set_for(edge: &Edge, full: &[FullTile]) -> TileSet {
        let mut s = TileSet::default();
        for f in full {
            s.insert(f.level, f.index, f.hashes.clone());
        }
        for l in 0..edge.levels() {
            let (idx, w) = tiles_at(edge.size(), l);
            if w > 0 {
                s.insert(l, idx, Arc::new(edge.partial(l)));
            }
        }
        s
    }

    #[test]
    fn proofs_from_tiles_equal_the_proofs_of_the_whole_tree() {
        for n in [1u64, 255, 256, 257, 511, 65_536, 65_537, 70_001] {
            let (edge, full, tree) = build(n);
            let set = set_for(&edge, &full);
            assert_eq!(merkle::root_of(&set, n).unwrap(), tree.root(n).unwrap(), "root of {n}");
            for i in [0, n / 3, n - 1] {
                let needed = Needed::default();
                merkle::inclusion_of(&needed, i, n).unwrap();
                assert!(needed.tiles().len() <= 6, "an inclusion proof reads a few tiles");
                assert_eq!(merkle::inclusion_of(&set, i, n).unwrap(), tree.inclusion(i, n).unwrap());
            }
            for old in [1, n / 2 + 1, n] {
                assert_eq!(merkle::consistency_of(&set, old, n).unwrap(), tree.consistency(old, n).unwrap());
            }
        }
    }

    #[test]
    fn the_edge_alone_gives_the_root() {
        for n in [1u64, 255, 256, 257, 600, 65_536, 65_537, 70_000] {
            let (edge, _, tree) = build(n);
            assert_eq!(merkle::root_of(&edge.tiles(), n).unwrap(), tree.root(n).unwrap(), "root of {n}");
        }
    }

    #[test]
    fn a_proof_for_an_older_size_reads_the_grown_tiles() {
        let (edge, full, tree) = build(1000);
        let set = set_for(&edge, &full);
        for size in [1u64, 300, 999] {
            assert_eq!(merkle::root_of(&set, size).unwrap(), tree.root(size).unwrap());
        }
    }

    #[test]
    fn a_missing_tile_is_named() {
        let (_, full, _) = build(600);
        let mut s = TileSet::default();
        s.insert(0, 0, full[0].hashes.clone());
        // 600 = 512 + 88: the root reads the 512-subtree from the level-1 tile first.
        assert_eq!(merkle::root_of(&s, 600), Err(ProofError::MissingTile { level: 1, index: 0, width: 2 }));
        // Leaf 300's proof reads its sibling 301 (the 46th hash of tile 1), which is absent.
        assert_eq!(
            merkle::inclusion_of(&s, 300, 600).map(|_| ()),
            Err(ProofError::MissingTile { level: 0, index: 1, width: 46 })
        );
    }

    #[test]
    fn tiles_fill_in_order_and_the_edge_is_what_remains() {
        let (edge, full, _) = build(65_536 + 300);
        let ids: Vec<(u8, u64)> = full.iter().map(|f| (f.level, f.index)).collect();
        assert_eq!(ids.iter().filter(|(l, _)| *l == 0).count(), 257);
        assert_eq!(ids.iter().filter(|(l, _)| *l == 1).count(), 1);
        assert_eq!(edge.partial(0).width(), 300 - 256);
        assert_eq!(edge.partial(1).width(), 1);
        assert_eq!(edge.partial(2).width(), 1);
        assert!(Edge::from_parts(10, vec![vec![[0; 32]; 9]]).is_err());
    }

    #[test]
    fn paths_are_the_specs() {
        let t = |level, index, width| TileId { level, index, width };
        assert_eq!(t(0, 1_234_067, 256).path(), "tile/0/x001/x234/067");
        assert_eq!(t(1, 0, 256).path(), "tile/1/000");
        assert_eq!(t(0, 5, 17).entries_path(), "tile/entries/005.p/17");
        for id in [t(0, 1_234_067, 256), t(3, 7, 3), t(0, 1000, 255)] {
            assert_eq!(TilePath::parse(&id.path()["tile/".len()..]), Ok(TilePath::Hashes(id)));
            assert_eq!(
                TilePath::parse(&id.entries_path()["tile/".len()..]),
                Ok(TilePath::Entries(t(0, id.index, id.width)))
            );
        }
        for bad in ["0/1", "0/x1/234", "0/001.p/0", "0/001.p/256", "0/001.p/017", "0/x000/001", "64/000", "00/000", "0"]
        {
            assert!(TilePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bundles_round_trip_and_truncation_is_an_error() {
        let b = bundle(&[b"one", b"", b"three"]).unwrap();
        assert_eq!(unbundle(&b).unwrap(), vec![&b"one"[..], b"", b"three"]);
        assert!(unbundle(&b[..b.len() - 1]).is_err());
        assert!(bundle(&[&vec![0u8; 70_000]]).is_err());
    }
}
