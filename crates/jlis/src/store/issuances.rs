//! The transparency log of issuances (存在証明; `myna_issuance::log`): every document a
//! municipality issues or withdraws, as a leaf of an RFC 9162 Merkle tree, written in groups
//! (`GroupCommit`), each durable before its receipt is given. A leaf names the issuer, the
//! serial, the time and the digest of the signed code, nothing about the person. The tree is
//! rebuilt from the leaves at start (32 bytes a leaf in memory, twice: a billion issuances
//! would want the hub's tiles; the country issues tens of millions a year).

use std::sync::{Arc, Mutex};

use myna_issuance::log::{Leaf, ORIGIN, Receipt};
use myna_link::{
    merkle::{self, Tree},
    note::{Checkpoint, NoteSigner},
};
use myna_store::{Batch, Db, GroupCommit, GroupError, Migration, Param, Schema, StoreError};

pub const ISSUANCES: Schema = Schema {
    role: "jlis_issuances",
    migrations: &[Migration {
        version: 1,
        name: "transparency log of issuances",
        // `leaf`: its exact bytes; one entry per (issuer, serial, event), so a resent
        // submission finds the first.
        steps: &[
            "CREATE TABLE issuance_log (
            idx BIGINT PRIMARY KEY,
            issuer TEXT NOT NULL,
            serial TEXT NOT NULL,
            event TEXT NOT NULL,
            digest TEXT NOT NULL,
            leaf TEXT NOT NULL
        )",
            "CREATE UNIQUE INDEX issuance_log_serial ON issuance_log (issuer, serial, event)",
        ],
    }],
};

const GROUP: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum IssuanceLogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the issuance log's writer has stopped")]
    Stopped,
    /// The same serial's event was logged with another document's digest.
    #[error("{serial} is already logged as {event} with another document's digest")]
    Conflict { serial: String, event: &'static str },
}

pub struct IssuanceLog {
    db: Db,
    writer: GroupCommit<Leaf>,
    tree: Arc<Mutex<Tree>>,
    note: NoteSigner,
}

fn locked(t: &Mutex<Tree>) -> Result<std::sync::MutexGuard<'_, Tree>, StoreError> {
    t.lock().map_err(|_| StoreError::Corrupt("issuance log tree lock".into()))
}

impl IssuanceLog {
    pub async fn open(db: Db) -> Result<Self, StoreError> {
        db.migrate(&ISSUANCES).await?;
        let seed = db.secret_or_init("jlis_issuance_note_key").await?;
        let note = NoteSigner::from_seed(ORIGIN, &seed).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tree = Arc::new(Mutex::new(Tree::new()));
        let leaves =
            db.read("SELECT idx, leaf FROM issuance_log ORDER BY idx", &[], |r| Ok((r.get(0)?, r.get(1)?))).await?;
        {
            let mut t = locked(&tree)?;
            for (idx, leaf) in leaves {
                let (idx, leaf): (i64, String) = (idx, leaf);
                if idx as u64 != t.len() {
                    return Err(StoreError::Corrupt(format!("the issuance log's leaf {} is missing", t.len())));
                }
                t.push(merkle::leaf_hash(leaf.as_bytes()));
            }
        }
        let (w, t) = (db.clone(), tree.clone());
        let writer = GroupCommit::start(GROUP, move |leaves: Vec<Leaf>| {
            let (db, tree) = (w.clone(), t.clone());
            async move { append(&db, &tree, leaves).await }
        });
        Ok(Self { db, writer, tree, note })
    }

    /// The log key's `vkey`, for a tile or note client and `myna doc verify`.
    pub fn vkey(&self) -> String {
        self.note.vkey()
    }

    /// The latest checkpoint, signed.
    pub fn checkpoint(&self) -> Result<String, StoreError> {
        let t = locked(&self.tree)?;
        self.sign(&t)
    }

    fn sign(&self, t: &Tree) -> Result<String, StoreError> {
        let size = t.len();
        let root = t.root(size).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(self.note.sign(&Checkpoint { origin: ORIGIN.into(), size, root }))
    }

    /// Appends `leaf` (or finds it, when this serial's event is already logged with the same
    /// digest: a resent submission) and answers its receipt once durable.
    pub async fn append(&self, leaf: Leaf) -> Result<Receipt, IssuanceLogError> {
        if let Some(r) = self.find(&leaf).await? {
            return Ok(r);
        }
        match self.writer.write(leaf.clone()).await {
            Ok(()) => {}
            // A concurrent submission of the same event won the unique index: find it.
            Err(GroupError::Store(e)) => return self.find(&leaf).await?.ok_or(IssuanceLogError::Store(e)),
            Err(GroupError::Stopped) => return Err(IssuanceLogError::Stopped),
        }
        self.find(&leaf).await?.ok_or_else(|| StoreError::Corrupt("a logged leaf is not found".into()).into())
    }

    /// This serial's entry for `leaf`'s event, with its receipt at the current size.
    async fn find(&self, leaf: &Leaf) -> Result<Option<Receipt>, IssuanceLogError> {
        let sql = "SELECT idx, digest, leaf FROM issuance_log WHERE issuer = $1 AND serial = $2 AND event = $3";
        let row: Option<(i64, String, String)> = self
            .db
            .read_one(sql, &[leaf.issuer.as_str().into(), leaf.serial.as_str().into(), leaf.event.id().into()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .await?;
        let Some((idx, digest, text)) = row else { return Ok(None) };
        if digest != leaf.digest {
            return Err(IssuanceLogError::Conflict { serial: leaf.serial.clone(), event: leaf.event.id() });
        }
        Ok(Some(self.receipt(idx as u64, text)?))
    }

    fn receipt(&self, index: u64, leaf: String) -> Result<Receipt, StoreError> {
        let t = locked(&self.tree)?;
        let proof = t.inclusion(index, t.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Receipt { index, leaf, proof: proof.iter().map(hex::encode).collect(), checkpoint: self.sign(&t)? })
    }

    /// Every entry of an issuer's serial (its issuance, its withdrawal), each with its proof
    /// against the checkpoint returned with them.
    pub async fn of_serial(&self, issuer: &str, serial: &str) -> Result<(String, Vec<Receipt>), StoreError> {
        let rows: Vec<(i64, String)> = self
            .db
            .read(
                "SELECT idx, leaf FROM issuance_log WHERE issuer = $1 AND serial = $2 ORDER BY idx",
                &[issuer.into(), serial.into()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .await?;
        let t = locked(&self.tree)?;
        let checkpoint = self.sign(&t)?;
        let mut out = Vec::with_capacity(rows.len());
        for (idx, leaf) in rows {
            let proof = t.inclusion(idx as u64, t.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let proof = proof.iter().map(hex::encode).collect();
            out.push(Receipt { index: idx as u64, leaf, proof, checkpoint: checkpoint.clone() });
        }
        Ok((checkpoint, out))
    }
}

/// One group in one transaction; the leaves join the tree only once it is durable.
async fn append(db: &Db, tree: &Mutex<Tree>, leaves: Vec<Leaf>) -> Result<(), StoreError> {
    let start = locked(tree)?.len();
    let texts: Vec<String> = leaves.iter().map(|l| String::from_utf8_lossy(&l.bytes()).into_owned()).collect();
    let mut batch = Batch::new();
    for (c, chunk) in leaves.chunks(100).enumerate() {
        let sql = db.insert_rows(
            "INSERT INTO issuance_log (idx, issuer, serial, event, digest, leaf) VALUES",
            chunk.len(),
            6,
        );
        let mut params = Vec::with_capacity(chunk.len() * 6);
        for (i, l) in chunk.iter().enumerate() {
            let n = c * 100 + i;
            params.extend([
                Param::Int((start + n as u64) as i64),
                (&l.issuer).into(),
                (&l.serial).into(),
                l.event.id().into(),
                (&l.digest).into(),
                (&texts[n]).into(),
            ]);
        }
        batch.push(sql, params);
    }
    db.write_batch(batch).await?;
    let mut t = locked(tree)?;
    for l in &texts {
        t.push(merkle::leaf_hash(l.as_bytes()));
    }
    Ok(())
}
