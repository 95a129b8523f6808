//! The exchange log's Merkle tree (RFC 9162 §2.1: leaf hash SHA-256(0x00 ‖ entry), node hash
//! SHA-256(0x01 ‖ left ‖ right)).
//!
//! The prover is written here because proofs must be served against any earlier tree head a
//! resident kept, not only the current tree, and for 100M entries: `Tree` keeps the hash of
//! every complete, aligned subtree by level (2N hashes), from which MTH, PATH and PROOF of
//! RFC 9162 §2.1.1–2.1.4 are computed for any size. Verification is ct-merkle's, an
//! independent implementation, so a prover bug shows up as a failed check.

use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the tree has {have} entries; asked about {asked}")]
    OutOfRange { have: u64, asked: u64 },
    #[error("a consistency proof needs 0 < old size ≤ new size (got {0} → {1})")]
    Sizes(u64, u64),
    #[error("a proof is a whole number of 32-byte hashes (64 hex digits each)")]
    Malformed,
    #[error("the entry is not in the tree with that head (inclusion proof fails)")]
    NotIncluded,
    #[error("the later tree head does not extend the earlier one: the log was rewritten")]
    Inconsistent,
    /// A proof from tiles needs a hash the tiles at hand do not have.
    #[error("tile {level}/{index} with at least {width} hashes is needed and was not given")]
    MissingTile { level: u8, index: u64, width: u16 },
}

/// A hash written as 64 hex digits (tree heads and proofs on the wire).
pub fn hash_from_hex(s: &str) -> Result<Hash, ProofError> {
    let mut h = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut h).map_err(|_| ProofError::Malformed)?;
    Ok(h)
}

pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// An append-only tree: `levels[k][j]` is the hash of leaves `j·2^k .. (j+1)·2^k`.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new() -> Self {
        Self { levels: vec![Vec::new()] }
    }

    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a leaf hash; returns its index.
    pub fn push(&mut self, leaf: Hash) -> u64 {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let index = self.len() - 1;
        let mut k = 0;
        while self.levels[k].len().is_multiple_of(2) {
            let n = self.levels[k].len();
            let parent = node_hash(&self.levels[k][n - 2], &self.levels[k][n - 1]);
            if self.levels.len() == k + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[k + 1].push(parent);
            k += 1;
        }
        index
    }

    /// The root of the first `size` entries (SHA-256 of nothing for an empty tree).
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        self.check(size)?;
        root_of(self, size)
    }

    fn check(&self, size: u64) -> Result<(), ProofError> {
        if size > self.len() { Err(ProofError::OutOfRange { have: self.len(), asked: size }) } else { Ok(()) }
    }

    /// PATH(index, D[size]): the inclusion proof of entry `index` in the tree of `size` entries.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check(size)?;
        inclusion_of(self, index, size)
    }

    /// PROOF(old, D[new]): that the tree of `new` entries extends the tree of `old`.
    pub fn consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        self.check(new)?;
        consistency_of(self, old, new)
    }
}

impl Nodes for Tree {
    fn node(&self, height: u32, index: u64) -> Result<Hash, ProofError> {
        self.levels
            .get(height as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .ok_or(ProofError::OutOfRange { have: self.len(), asked: (index + 1) << height })
    }
}

/// Where the hashes of complete subtrees come from: the in-memory [`Tree`], or the log's
/// tiles ([`crate::tiles::TileSet`]). The proofs of RFC 9162 §2.1 only ever visit those.
pub trait Nodes {
    /// The hash of leaves `index·2^height .. (index+1)·2^height`.
    fn node(&self, height: u32, index: u64) -> Result<Hash, ProofError>;
}

/// MTH(D[start .. start+n]); `start` is aligned to the largest power of two ≤ n, as every
/// range the RFC's recursions visit is.
fn mth<N: Nodes + ?Sized>(t: &N, start: u64, n: u64) -> Result<Hash, ProofError> {
    if n.is_power_of_two() {
        let k = n.trailing_zeros();
        return t.node(k, start >> k);
    }
    let k = split(n);
    Ok(node_hash(&mth(t, start, k)?, &mth(t, start + k, n - k)?))
}

/// The root of the first `size` entries of `t` (SHA-256 of nothing for an empty tree).
pub fn root_of<N: Nodes + ?Sized>(t: &N, size: u64) -> Result<Hash, ProofError> {
    if size == 0 { Ok(Sha256::digest([]).into()) } else { mth(t, 0, size) }
}

/// PATH(index, D[size]) over `t`.
pub fn inclusion_of<N: Nodes + ?Sized>(t: &N, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange { have: size, asked: index });
    }
    let mut out = Vec::new();
    path(t, index, 0, size, &mut out)?;
    Ok(out)
}

fn path<N: Nodes + ?Sized>(t: &N, m: u64, start: u64, n: u64, out: &mut Vec<Hash>) -> Result<(), ProofError> {
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(t, m, start, k, out)?;
        out.push(mth(t, start + k, n - k)?);
    } else {
        path(t, m - k, start + k, n - k, out)?;
        out.push(mth(t, start, k)?);
    }
    Ok(())
}

/// PROOF(old, D[new]) over `t`.
pub fn consistency_of<N: Nodes + ?Sized>(t: &N, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::Sizes(old, new));
    }
    let mut out = Vec::new();
    subproof(t, old, 0, new, true, &mut out)?;
    Ok(out)
}

fn subproof<N: Nodes + ?Sized>(
    t: &N,
    m: u64,
    start: u64,
    n: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    if m == n {
        if !complete {
            out.push(mth(t, start, n)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(t, m, start, k, complete, out)?;
        out.push(mth(t, start + k, n - k)?);
    } else {
        subproof(t, m - k, start + k, n - k, false, out)?;
        out.push(mth(t, start, k)?);
    }
    Ok(())
}

fn root(hash: &Hash, size: u64) -> RootHash<Sha256> {
    RootHash::new((*hash).into(), size)
}

fn flat(proof: &[Hash]) -> Vec<u8> {
    proof.iter().flatten().copied().collect()
}

/// Checks that `entry` is entry `index` of the tree of `size` entries whose root is `root_hash`.
pub fn verify_inclusion(
    entry: &[u8],
    index: u64,
    size: u64,
    root_hash: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let proof = InclusionProof::<Sha256>::try_from_bytes(flat(proof)).map_err(|_| ProofError::Malformed)?;
    root(root_hash, size).verify_inclusion(&entry, index, &proof).map_err(|_| ProofError::NotIncluded)
}

/// Checks that the tree (`new`, `new_root`) extends (`old`, `old_root`).
pub fn verify_consistency(
    old: u64,
    old_root: &Hash,
    new: u64,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old == new {
        return if old_root == new_root && proof.is_empty() { Ok(()) } else { Err(ProofError::Inconsistent) };
    }
    let proof = ConsistencyProof::<Sha256>::try_from_bytes(flat(proof)).map_err(|_| ProofError::Malformed)?;
    root(new_root, new).verify_consistency(&root(old_root, old), &proof).map_err(|_| ProofError::Inconsistent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ct_merkle::mem_backed_tree::MemoryBackedTree;

    fn entries(n: u64) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
    }

    fn ours(e: &[Vec<u8>]) -> Tree {
        let mut t = Tree::new();
        for x in e {
            t.push(leaf_hash(x));
        }
        t
    }

    #[test]
    fn roots_and_proofs_match_an_independent_implementation() {
        let e = entries(70);
        let t = ours(&e);
        let mut theirs = MemoryBackedTree::<Sha256, Vec<u8>>::new();
        for (n, x) in e.iter().enumerate() {
            theirs.push(x.clone());
            let size = n as u64 + 1;
            let r = t.root(size).unwrap();
            assert_eq!(theirs.root().as_bytes().as_slice(), &r, "root at {size}");
            for i in 0..size {
                let p = t.inclusion(i, size).unwrap();
                assert_eq!(flat(&p), theirs.prove_inclusion(i as usize).as_bytes(), "path {i} of {size}");
                verify_inclusion(&e[i as usize], i, size, &r, &p).unwrap();
            }
            for old in 1..=size {
                let p = t.consistency(old, size).unwrap();
                verify_consistency(old, &t.root(old).unwrap(), size, &r, &p).unwrap();
            }
        }
    }

    #[test]
    fn a_rewritten_log_fails_its_proofs() {
        let e = entries(13);
        let t = ours(&e);
        let (r5, r13) = (t.root(5).unwrap(), t.root(13).unwrap());
        // Entry 3 rewritten after the head of size 5 was kept.
        let mut e2 = e.clone();
        e2[3] = b"entry 3, rewritten".to_vec();
        let t2 = ours(&e2);
        let p = t2.consistency(5, 13).unwrap();
        assert_eq!(verify_consistency(5, &r5, 13, &t2.root(13).unwrap(), &p), Err(ProofError::Inconsistent));
        // The original entry is not in the rewritten tree, nor a forged one in the original.
        let p = t.inclusion(3, 13).unwrap();
        assert_eq!(verify_inclusion(&e2[3], 3, 13, &r13, &p), Err(ProofError::NotIncluded));
        assert_eq!(verify_inclusion(&e[3], 4, 13, &r13, &p), Err(ProofError::NotIncluded));
        assert_eq!(verify_inclusion(&e[3], 3, 13, &r13, &p[1..]), Err(ProofError::NotIncluded));
        assert!(t.inclusion(13, 13).is_err() && t.consistency(0, 3).is_err() && t.root(14).is_err());
    }
}
