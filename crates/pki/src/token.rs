//! What holds a card's keys and enforces its secrets. The software card (`softcard`) is one
//! implementation; a PC/SC reader talking to a real chip would be another.

use crate::{CertKind, Secret};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Wrong secret. Says how many tries remain and nothing about which character was wrong.
    #[error("wrong {}: {tries_left} tries left before it locks", .kind.secret_name())]
    WrongSecret { kind: CertKind, tries_left: u8 },
    #[error("the {} is locked after too many wrong tries; the municipality can reset it after checking your identity", .0.secret_name())]
    Locked(CertKind),
    #[error("{0}")]
    SecretForm(String),
    #[error("the {0} certificate has not been issued to this card yet")]
    NotIssued(CertKind),
    #[error("the card file could not be saved: {0}")]
    Storage(String),
    #[error("the card file is damaged: {0}")]
    Damaged(String),
    #[error("the reset key does not open this card")]
    WrongResetKey,
    /// Wrong 券面事項入力補助 PIN (its own counter, apart from the keys').
    #[error("wrong PIN for the card's face data (券面事項入力補助用暗証番号): {tries_left} tries left before it locks")]
    WrongFacePin { tries_left: u8 },
    #[error(
        "the card's face data (券面事項入力補助) is locked after too many wrong PINs; the municipality can reset it after checking your identity"
    )]
    FaceLocked,
    #[error(
        "this card holds no face data (券面事項入力補助): it was issued before J-LIS wrote it; the municipality can write it"
    )]
    NoFace,
    #[error("{0}")]
    Pki(#[from] crate::PkiError),
}

/// A card: keys that never leave it, each behind a secret with a try counter.
pub trait CardToken {
    /// The certificate (PEM) in the slot, once issued.
    fn certificate(&self, kind: CertKind) -> Option<&str>;
    /// Tries left before the secret locks (the chip reports this without a secret).
    fn tries_left(&self, kind: CertKind) -> u8;
    /// A key opened by its secret: it signs for the rest of a session, as a chip stays
    /// verified after VERIFY until it is powered off.
    type Opened;
    /// Checks `secret` (a try spent if wrong; the counter full again if right), as the chip's
    /// VERIFY does, and opens its key for the session.
    fn open_key(&mut self, secret: &Secret) -> Result<Self::Opened, TokenError>;
    /// Signs a SHA-256 digest with a key opened this session.
    fn sign_opened(key: &Self::Opened, digest: &[u8; 32]) -> Result<Vec<u8>, TokenError>;
    /// Signs a SHA-256 digest the host computed, after checking `secret`.
    fn sign_digest(&mut self, secret: &Secret, digest: &[u8; 32]) -> Result<Vec<u8>, TokenError>;
    /// Replaces a secret, after checking the old one (which counts as a try).
    fn change_secret(&mut self, old: &Secret, new: &Secret) -> Result<(), TokenError>;
}

/// A card's 券面事項入力補助 application: the number and the 4 items J-LIS signed, behind a
/// 4-digit PIN with its own counter.
pub trait FaceToken {
    /// Tries left of its PIN; `None` when the card holds no face data.
    fn face_tries_left(&self) -> Option<u8>;
    /// The signed face data, after the PIN (a try spent if wrong).
    fn read_face(&mut self, pin: &Secret) -> Result<String, TokenError>;
}
