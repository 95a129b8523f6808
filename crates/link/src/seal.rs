//! Payloads sealed by the provider to the requester (HPKE, RFC 9180, base mode:
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). The hub forwards a sealed
//! payload it has no key for. The associated data binds the ciphertext to its exchange
//! (message id, requester, provider, task, item), so a payload cannot be moved to another.

use hpke::{
    Deserializable, OpModeR, OpModeS, Serializable, aead::ChaCha20Poly1305, kdf::HkdfSha256, kem::X25519HkdfSha256,
};
use rand_core::{OsRng, UnwrapErr};
use serde::{Deserialize, Serialize};

type Kem = X25519HkdfSha256;
const INFO: &[u8] = b"myna-link/1 payload";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not an encryption key: {0}")]
    Key(String),
    #[error("the payload cannot be opened: not sealed to this node, or altered on the way")]
    Open,
    #[error("sealing failed")]
    Seal,
}

/// A node's encryption key pair; the public half is published in the hub's directory.
pub struct SealKey {
    secret: <Kem as hpke::Kem>::PrivateKey,
    public: <Kem as hpke::Kem>::PublicKey,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey(public {})", self.public_hex())
    }
}

impl SealKey {
    pub fn generate() -> Self {
        let (secret, public) = <Kem as hpke::Kem>::gen_keypair(&mut UnwrapErr(OsRng));
        Self { secret, public }
    }

    /// The secret key as 64 hex digits, for the node's own database.
    pub fn secret_hex(&self) -> String {
        hex::encode(self.secret.to_bytes())
    }

    pub fn from_secret_hex(s: &str) -> Result<Self, SealError> {
        let bytes = hex::decode(s.trim()).map_err(|e| SealError::Key(e.to_string()))?;
        let secret = <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes).map_err(|e| SealError::Key(e.to_string()))?;
        let public = <Kem as hpke::Kem>::sk_to_pk(&secret);
        Ok(Self { secret, public })
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.public.to_bytes())
    }

    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let enc = hex::decode(&sealed.enc).map_err(|_| SealError::Open)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc).map_err(|_| SealError::Open)?;
        let ct = hex::decode(&sealed.ct).map_err(|_| SealError::Open)?;
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(&OpModeR::Base, &self.secret, &enc, INFO, &ct, aad)
            .map_err(|_| SealError::Open)
    }
}

/// A sealed payload: the encapsulated key and the ciphertext, in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub enc: String,
    pub ct: String,
}

fn public_key(public_hex: &str) -> Result<<Kem as hpke::Kem>::PublicKey, SealError> {
    let pk = hex::decode(public_hex.trim()).map_err(|e| SealError::Key(e.to_string()))?;
    <Kem as hpke::Kem>::PublicKey::from_bytes(&pk).map_err(|e| SealError::Key(e.to_string()))
}

/// Checks that `public_hex` is a public key payloads can be sealed to.
pub fn check_public_key(public_hex: &str) -> Result<(), SealError> {
    public_key(public_hex).map(|_| ())
}

/// Seals `plaintext` to the holder of the public key `public_hex`.
pub fn seal(public_hex: &str, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, SealError> {
    let pk = public_key(public_hex)?;
    let (enc, ct) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
        &OpModeS::Base,
        &pk,
        INFO,
        plaintext,
        aad,
        &mut UnwrapErr(OsRng),
    )
    .map_err(|_| SealError::Seal)?;
    Ok(Sealed { enc: hex::encode(enc.to_bytes()), ct: hex::encode(ct) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recipient_opens_and_only_for_its_exchange() {
        let requester = SealKey::generate();
        let sealed = seal(&requester.public_hex(), b"{\"tax\":1}", b"m1").unwrap();
        assert_eq!(requester.open(&sealed, b"m1").unwrap(), b"{\"tax\":1}");
        assert_eq!(requester.open(&sealed, b"m2"), Err(SealError::Open), "moved to another exchange");
        assert_eq!(SealKey::generate().open(&sealed, b"m1"), Err(SealError::Open), "another node");
        let mut bad = sealed.clone();
        bad.ct.replace_range(0..2, if &bad.ct[0..2] == "00" { "01" } else { "00" });
        assert_eq!(requester.open(&bad, b"m1"), Err(SealError::Open));
        let again = SealKey::from_secret_hex(&requester.secret_hex()).unwrap();
        assert_eq!(again.public_hex(), requester.public_hex());
        assert!(matches!(seal("zz", b"x", b""), Err(SealError::Key(_))));
    }
}
