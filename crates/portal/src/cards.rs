//! The demo country's card reader: a stand-in for the NFC reader and the holder's app, so a
//! tester can log in and sign from the browser with the cards the demo issued. The card
//! still checks the PIN, counts tries and locks; the portal only passes the PIN through.

use myna_pki::CertKind;

#[derive(Debug, Clone)]
pub struct CardInfo {
    /// How the reader names the card (its file name in the demo).
    pub id: String,
    /// The holder's name, from the signing certificate.
    pub holder: String,
    pub auth_tries_left: u8,
    pub sign_tries_left: u8,
}

/// What signing with a card gives back.
pub struct CardSignature {
    pub signature: Vec<u8>,
    /// The certificate of the key that signed (DER).
    pub certificate: Vec<u8>,
}

pub trait CardReader: Send + Sync {
    fn cards(&self) -> Vec<CardInfo>;
    /// Signs a SHA-256 digest with the card's key of `kind`, after its secret. The error says
    /// what the card said (wrong PIN with tries left, locked, …).
    fn sign(&self, card: &str, kind: CertKind, secret: &str, digest: &[u8; 32]) -> Result<CardSignature, String>;
}
