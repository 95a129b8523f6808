//! The transparency log of issuances (存在証明, issue 21): J-LIS keeps an append-only Merkle
//! log (RFC 9162) of every document a municipality issues or withdraws. A leaf names the
//! issuer, the serial, the time and the SHA-256 of the document's signed code — nothing about
//! the person. The issuer is handed a [`Receipt`] (the leaf's index, its inclusion proof and
//! the signed checkpoint it is proved against, a C2SP signed note) and prints it into the
//! PDF beside the code, so anyone with J-LIS's log key can check offline that the document
//! was logged when it says; whether it was withdrawn since is asked of the log.

use aws_lc_rs::digest::{SHA256, digest};
use myna_link::{
    merkle::{self, Hash},
    note,
};
use serde::{Deserialize, Serialize};

use crate::Document;

/// The log's origin line and note-key name (a name, not an address).
pub const ORIGIN: &str = "jlis.myna.invalid/issuances";

/// What a leaf records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Issued,
    Withdrawn,
}

impl Event {
    pub fn id(self) -> &'static str {
        match self {
            Event::Issued => "issued",
            Event::Withdrawn => "withdrawn",
        }
    }
}

/// One leaf. Its bytes are its JSON in this field order; the issuer is the submitting
/// municipality's code, taken from its certificate, never from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    pub event: Event,
    pub issuer: String,
    pub serial: String,
    /// When the document was issued or withdrawn (Unix seconds).
    pub at: i64,
    /// SHA-256 of the document's code, hex.
    pub digest: String,
}

impl Leaf {
    /// The leaf of issuing `doc`, whose code is `code`.
    pub fn issued(doc: &Document, code: &str) -> Self {
        Self {
            event: Event::Issued,
            issuer: doc.issuer.code.clone(),
            serial: doc.serial.clone(),
            at: doc.issued_at,
            digest: digest_of(code),
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The hex SHA-256 of a document's code.
pub fn digest_of(code: &str) -> String {
    hex::encode(digest(&SHA256, code.as_bytes()))
}

/// The log's answer to an append: where the leaf is, and the proof of it against a signed
/// checkpoint. Kept in the PDF as `/MynaLog` (its JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    pub index: u64,
    /// The leaf as logged (its JSON text).
    pub leaf: String,
    /// The inclusion proof's hashes, hex, for the checkpoint's size.
    pub proof: Vec<String>,
    /// The C2SP signed note the proof is for.
    pub checkpoint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogProblem {
    #[error("the log's checkpoint does not verify with J-LIS's key: {0}")]
    Checkpoint(String),
    #[error("the logged entry is not this document's issuance: {0}")]
    OtherDocument(&'static str),
    #[error("the entry is not in the log at the place the receipt says")]
    NotIncluded,
    #[error("the receipt is malformed: {0}")]
    Malformed(String),
}

impl Receipt {
    /// Checks offline that `doc` (whose code is `code`) was logged as issued: the checkpoint
    /// signed by the log key `vkey`, the leaf in it, and the leaf this document's.
    /// Answers the checkpoint's size (how large the log was when it was proved).
    pub fn verify(&self, doc: &Document, code: &str, vkey: &str) -> Result<u64, LogProblem> {
        let cp = note::open(&self.checkpoint, vkey, ORIGIN).map_err(|e| LogProblem::Checkpoint(e.to_string()))?;
        let leaf: Leaf = serde_json::from_str(&self.leaf).map_err(|e| LogProblem::Malformed(e.to_string()))?;
        let mine = Leaf::issued(doc, code);
        if leaf.event != Event::Issued {
            return Err(LogProblem::OtherDocument("it records a withdrawal"));
        }
        if leaf.digest != mine.digest {
            return Err(LogProblem::OtherDocument("its digest is another code's"));
        }
        if (&leaf.issuer, &leaf.serial, leaf.at) != (&mine.issuer, &mine.serial, mine.at) {
            return Err(LogProblem::OtherDocument("its issuer, serial or time differ"));
        }
        self.included_in(&cp)?;
        Ok(cp.size)
    }

    /// The leaf at its index in the tree of `cp`.
    fn included_in(&self, cp: &note::Checkpoint) -> Result<(), LogProblem> {
        let proof = self
            .proof
            .iter()
            .map(|h| merkle::hash_from_hex(h))
            .collect::<Result<Vec<Hash>, _>>()
            .map_err(|e| LogProblem::Malformed(e.to_string()))?;
        merkle::verify_inclusion(self.leaf.as_bytes(), self.index, cp.size, &cp.root, &proof)
            .map_err(|_| LogProblem::NotIncluded)
    }
}

/// What the log says of one serial: its entries with their proofs against one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Status {
    pub checkpoint: String,
    pub entries: Vec<Receipt>,
}

impl Status {
    /// The entry of `event` for `doc` (whose code is `code`), proved in this status's
    /// checkpoint: its index and time.
    pub fn find(&self, event: Event, doc: &Document, code: &str, vkey: &str) -> Result<Option<(u64, i64)>, LogProblem> {
        let cp = note::open(&self.checkpoint, vkey, ORIGIN).map_err(|e| LogProblem::Checkpoint(e.to_string()))?;
        let digest = digest_of(code);
        for r in &self.entries {
            let leaf: Leaf = serde_json::from_str(&r.leaf).map_err(|e| LogProblem::Malformed(e.to_string()))?;
            if leaf.event != event
                || leaf.digest != digest
                || leaf.serial != doc.serial
                || leaf.issuer != doc.issuer.code
            {
                continue;
            }
            r.included_in(&cp)?;
            return Ok(Some((r.index, leaf.at)));
        }
        Ok(None)
    }

    /// When `doc` was withdrawn, by a leaf of this status proved in its checkpoint.
    pub fn withdrawn(&self, doc: &Document, code: &str, vkey: &str) -> Result<Option<i64>, LogProblem> {
        Ok(self.find(Event::Withdrawn, doc, code, vkey)?.map(|(_, at)| at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use myna_link::{merkle::Tree, note::NoteSigner};

    fn receipt(tree: &mut Tree, signer: &NoteSigner, leaves: &[String], mine: usize) -> Receipt {
        for l in leaves {
            tree.push(merkle::leaf_hash(l.as_bytes()));
        }
        let size = tree.len();
        let root = tree.root(size).unwrap();
        Receipt {
            index: mine as u64,
            leaf: leaves[mine].clone(),
            proof: tree.inclusion(mine as u64, size).unwrap().iter().map(hex::encode).collect(),
            checkpoint: signer.sign(&note::Checkpoint { origin: ORIGIN.into(), size, root }),
        }
    }

    #[test]
    fn a_receipt_proves_this_document_and_no_other() {
        let signer = NoteSigner::from_seed(ORIGIN, &[3; 32]).unwrap();
        let doc = crate::code::tests::sample();
        let code = "JPDOC1:ABC";
        let other = Document { serial: "131016-20261207-000002".into(), ..doc.clone() };
        let leaves = vec![
            String::from_utf8(Leaf::issued(&other, "JPDOC1:XYZ").bytes()).unwrap(),
            String::from_utf8(Leaf::issued(&doc, code).bytes()).unwrap(),
        ];
        let r = receipt(&mut Tree::new(), &signer, &leaves, 1);
        assert_eq!(r.verify(&doc, code, &signer.vkey()), Ok(2));
        assert_eq!(
            r.verify(&doc, "JPDOC1:ABD", &signer.vkey()),
            Err(LogProblem::OtherDocument("its digest is another code's"))
        );
        assert!(matches!(r.verify(&other, "JPDOC1:XYZ", &signer.vkey()), Err(LogProblem::OtherDocument(_))));
        let stranger = NoteSigner::from_seed(ORIGIN, &[4; 32]).unwrap();
        assert!(matches!(r.verify(&doc, code, &stranger.vkey()), Err(LogProblem::Checkpoint(_))));
        let moved = Receipt { index: 0, ..r.clone() };
        assert_eq!(moved.verify(&doc, code, &signer.vkey()), Err(LogProblem::NotIncluded));
    }

    #[test]
    fn a_withdrawal_is_found_only_for_its_own_code() {
        let signer = NoteSigner::from_seed(ORIGIN, &[3; 32]).unwrap();
        let doc = crate::code::tests::sample();
        let w = Leaf { event: Event::Withdrawn, at: doc.issued_at + 60, ..Leaf::issued(&doc, "JPDOC1:ABC") };
        let leaves = vec![
            String::from_utf8(Leaf::issued(&doc, "JPDOC1:ABC").bytes()).unwrap(),
            String::from_utf8(w.bytes()).unwrap(),
        ];
        let r = receipt(&mut Tree::new(), &signer, &leaves, 1);
        let status = Status { checkpoint: r.checkpoint.clone(), entries: vec![r] };
        assert_eq!(status.withdrawn(&doc, "JPDOC1:ABC", &signer.vkey()), Ok(Some(doc.issued_at + 60)));
        assert_eq!(status.withdrawn(&doc, "JPDOC1:OTHER", &signer.vkey()), Ok(None));
        assert_eq!(
            status.find(Event::Issued, &doc, "JPDOC1:ABC", &signer.vkey()),
            Ok(None),
            "only the withdrawal was given"
        );
    }
}
