//! A reader holding several cards, as the demo country's pages use it: a stand-in for the NFC
//! reader and the holder's app (the portal's login and signing) or a facility's card reader
//! (the health node's reception), so a tester can use the demo's cards from the browser. The
//! card still checks the PIN, counts tries and locks; the pages only pass the PIN through.

use crate::CertKind;

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

    /// The card's number (12 digits, as printed on it).
    fn number(&self, card: &str) -> Result<String, String> {
        Err(format!("this reader cannot read the number of {card}"))
    }

    /// The card's 券面事項入力補助 data after its 4-digit PIN: the number and the 4 items as
    /// J-LIS signed them (a compact JWS the reader passes on unopened; the intake checks it).
    fn face(&self, card: &str, _pin: &str) -> Result<String, String> {
        Err(format!("this reader cannot read the face data of {card}"))
    }

    /// Writes J-LIS's new face data into the card after its 4-digit PIN (at the counter, when
    /// the face changed).
    fn write_face(&self, card: &str, _pin: &str, _face: &str) -> Result<(), String> {
        Err(format!("this reader cannot write the face data of {card}"))
    }

    /// A new signing key made in the card after its password, for the reset key J-LIS
    /// released (the counter, after a move); the PKCS#10 request (DER).
    fn renew_signing(&self, card: &str, _password: &str, _reset_key: &[u8; 32]) -> Result<Vec<u8>, String> {
        Err(format!("this reader cannot renew the signing key of {card}"))
    }

    /// Puts the new signing certificate (PEM) in the card.
    fn install_signing(&self, card: &str, _pem: &str) -> Result<(), String> {
        Err(format!("this reader cannot write to {card}"))
    }
}
