//! The log's checkpoint as a C2SP signed note (https://c2sp.org/tlog-checkpoint,
//! https://c2sp.org/signed-note): `origin`, size, base64 root, then a blank line and one
//! Ed25519 signature line. A standard tile client verifies it with the key's `vkey` string
//! (`name+hash+base64(0x01‖public key)`), given to it out of band.

use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use base64ct::{Base64, Encoding as _};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// Ed25519's signature type in signed notes.
const ED25519: u8 = 0x01;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the note key is not an Ed25519 seed")]
    Key,
    #[error("not a checkpoint: {0}")]
    Malformed(String),
    #[error("the checkpoint is for {found}, not {expected}")]
    Origin { expected: String, found: String },
    #[error("no signature by {0} that verifies")]
    Unsigned(String),
    #[error("not a verifier key: {0}")]
    BadVkey(String),
}

/// A checkpoint's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note's text: three lines, each ending in a newline.
    pub fn text(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, Base64::encode_string(&self.root))
    }

    fn parse(text: &str) -> Result<Self, NoteError> {
        let bad = |s: &str| NoteError::Malformed(s.to_string());
        let mut lines = text.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or_else(|| bad("no origin line"))?;
        let size = lines.next().and_then(|s| s.parse().ok()).ok_or_else(|| bad("the second line is not a size"))?;
        let root = lines
            .next()
            .and_then(|r| Base64::decode_vec(r).ok())
            .and_then(|r| <Hash>::try_from(r).ok())
            .ok_or_else(|| bad("the third line is not a base64 SHA-256 root"))?;
        Ok(Self { origin: origin.to_string(), size, root })
    }
}

/// The log's note key: signs checkpoints under `name`.
pub struct NoteSigner {
    name: String,
    key: Ed25519KeyPair,
}

fn key_id(name: &str, public: &[u8]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

impl NoteSigner {
    /// From a 32-byte seed the log keeps secret.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        let key = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| NoteError::Key)?;
        Ok(Self { name: name.to_string(), key })
    }

    /// The verifier key a client is given: `name+hash+base64(0x01‖public key)`.
    pub fn vkey(&self) -> String {
        let public = self.key.public_key().as_ref();
        let mut typed = vec![ED25519];
        typed.extend_from_slice(public);
        format!("{}+{}+{}", self.name, hex::encode(key_id(&self.name, public)), Base64::encode_string(&typed))
    }

    /// The signed note of `c`.
    pub fn sign(&self, c: &Checkpoint) -> String {
        let text = c.text();
        let sig = self.key.sign(text.as_bytes());
        let mut blob = key_id(&self.name, self.key.public_key().as_ref()).to_vec();
        blob.extend_from_slice(sig.as_ref());
        format!("{text}\n\u{2014} {} {}\n", self.name, Base64::encode_string(&blob))
    }
}

/// Opens a signed checkpoint with `vkey`, for the log of `origin`.
pub fn open(note: &str, vkey: &str, origin: &str) -> Result<Checkpoint, NoteError> {
    let mut parts = vkey.splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadVkey("expected name+hash+key".into()));
    };
    let typed = Base64::decode_vec(key).map_err(|_| NoteError::BadVkey("the key is not base64".into()))?;
    let Some((&ED25519, public)) = typed.split_first() else {
        return Err(NoteError::BadVkey("not an Ed25519 key".into()));
    };
    if hex::encode(key_id(name, public)) != id {
        return Err(NoteError::BadVkey("its hash does not match its name and key".into()));
    }
    let (text, sigs) = note
        .split_once("\n\n")
        .map(|(t, s)| (format!("{t}\n"), s))
        .ok_or_else(|| NoteError::Malformed("no blank line before the signatures".into()))?;
    let verifier = UnparsedPublicKey::new(&signature::ED25519, public);
    let signed = sigs.lines().any(|line| {
        let Some(rest) = line.strip_prefix("\u{2014} ") else { return false };
        let Some((n, b64)) = rest.split_once(' ') else { return false };
        let Ok(blob) = Base64::decode_vec(b64) else { return false };
        n == name
            && blob.len() == 68
            && blob[..4] == key_id(name, public)
            && verifier.verify(text.as_bytes(), &blob[4..]).is_ok()
    });
    if !signed {
        return Err(NoteError::Unsigned(name.to_string()));
    }
    let c = Checkpoint::parse(&text)?;
    if c.origin != origin {
        return Err(NoteError::Origin { expected: origin.to_string(), found: c.origin });
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "hub.myna.invalid/log";

    #[test]
    fn a_signed_checkpoint_opens_with_its_vkey_only() {
        let s = NoteSigner::from_seed(ORIGIN, &[7; 32]).unwrap();
        let c = Checkpoint { origin: ORIGIN.into(), size: 12345, root: [9; 32] };
        let note = s.sign(&c);
        assert!(note.starts_with("hub.myna.invalid/log\n12345\nCQkJ"));
        assert_eq!(open(&note, &s.vkey(), ORIGIN), Ok(c));
        let other = NoteSigner::from_seed(ORIGIN, &[8; 32]).unwrap();
        assert!(matches!(open(&note, &other.vkey(), ORIGIN), Err(NoteError::Unsigned(_))));
        let forged = note.replace("12345", "12346");
        assert!(matches!(open(&forged, &s.vkey(), ORIGIN), Err(NoteError::Unsigned(_))));
        assert!(matches!(open(&note, &s.vkey(), "elsewhere"), Err(NoteError::Origin { .. })));
        assert!(matches!(open(&note, "nonsense", ORIGIN), Err(NoteError::BadVkey(_))));
    }
}
