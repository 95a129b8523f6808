//! Payloads sealed by the provider to the requester (HPKE, RFC 9180, base mode:
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). The hub forwards a sealed
//! payload it has no key for. The associated data binds the ciphertext to its exchange
//! (message id, requester, provider, task, item), so a payload cannot be moved to another.
//!
//! Why by hand: HPKE's single-shot base mode is a few HKDF calls around one X25519 agreement
//! and one AEAD, and every primitive here is aws-lc-rs's. The `hpke` crate ties its X25519
//! to curve25519-dalek, at half the speed of aws-lc's, and that KEM was a tenth of a linkage
//! exchange's CPU (BENCHMARKS.md, issue 16); AWS-LC's own HPKE is not exposed by aws-lc-rs.
//! The tests check RFC 9180's test vector (A.2.1) and open and seal against the `hpke` crate.

use aws_lc_rs::{
    aead::{self, Aad, LessSafeKey, Nonce, UnboundKey},
    agreement::{self, PrivateKey, UnparsedPublicKey, X25519},
    encoding::{AsBigEndian, Curve25519SeedBin},
    hkdf::{self, HKDF_SHA256, KeyType},
    hmac,
};
use serde::{Deserialize, Serialize};

const INFO: &[u8] = b"myna-link/1 payload";
/// "KEM" || I2OSP(0x0020, 2): DHKEM(X25519, HKDF-SHA256).
const KEM_SUITE: &[u8] = b"KEM\x00\x20";
/// "HPKE" || KEM 0x0020 || KDF 0x0001 (HKDF-SHA256) || AEAD 0x0003 (ChaCha20-Poly1305).
const HPKE_SUITE: &[u8] = b"HPKE\x00\x20\x00\x01\x00\x03";
const VERSION: &[u8] = b"HPKE-v1";

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
    secret: PrivateKey,
    public: [u8; 32],
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey(public {})", self.public_hex())
    }
}

fn public_of(secret: &PrivateKey) -> Result<[u8; 32], SealError> {
    let pk = secret.compute_public_key().map_err(|_| SealError::Key("no public key".into()))?;
    pk.as_ref().try_into().map_err(|_| SealError::Key("an X25519 public key is 32 bytes".into()))
}

impl SealKey {
    /// A new key pair from the system's random source.
    pub fn generate() -> Result<Self, SealError> {
        let secret = PrivateKey::generate(&X25519).map_err(|_| SealError::Key("no random source".into()))?;
        let public = public_of(&secret)?;
        Ok(Self { secret, public })
    }

    /// The secret key as 64 hex digits, for the node's own database.
    pub fn secret_hex(&self) -> Result<String, SealError> {
        let seed: Curve25519SeedBin<'static> =
            self.secret.as_be_bytes().map_err(|_| SealError::Key("the secret key cannot be written out".into()))?;
        Ok(hex::encode(seed.as_ref()))
    }

    pub fn from_secret_hex(s: &str) -> Result<Self, SealError> {
        let bytes = hex::decode(s.trim()).map_err(|e| SealError::Key(e.to_string()))?;
        let secret = PrivateKey::from_private_key(&X25519, &bytes).map_err(|e| SealError::Key(e.to_string()))?;
        let public = public_of(&secret)?;
        Ok(Self { secret, public })
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.public)
    }

    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        self.open_with(INFO, sealed, aad)
    }

    fn open_with(&self, info: &[u8], sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let enc = hex::decode(&sealed.enc).map_err(|_| SealError::Open)?;
        let mut ct = hex::decode(&sealed.ct).map_err(|_| SealError::Open)?;
        let dh = dh(&self.secret, &enc).map_err(|_| SealError::Open)?;
        let (key, nonce) = schedule(&dh, &enc, &self.public, info).map_err(|_| SealError::Open)?;
        let plain = key.open_in_place(nonce, Aad::from(aad), &mut ct).map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }
}

/// A sealed payload: the encapsulated key and the ciphertext, in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub enc: String,
    pub ct: String,
}

fn public_key(public_hex: &str) -> Result<[u8; 32], SealError> {
    let pk = hex::decode(public_hex.trim()).map_err(|e| SealError::Key(e.to_string()))?;
    pk.try_into().map_err(|_| SealError::Key("an X25519 public key is 32 bytes (64 hex digits)".into()))
}

/// Checks that `public_hex` is a public key payloads can be sealed to.
pub fn check_public_key(public_hex: &str) -> Result<(), SealError> {
    public_key(public_hex).map(|_| ())
}

/// Seals `plaintext` to the holder of the public key `public_hex`.
pub fn seal(public_hex: &str, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, SealError> {
    let pk = public_key(public_hex)?;
    let eph = PrivateKey::generate(&X25519).map_err(|_| SealError::Seal)?;
    seal_with(&eph, &pk, INFO, plaintext, aad)
}

/// Encap with the ephemeral key `eph` (RFC 9180 §4.1), then the AEAD of the first message.
fn seal_with(eph: &PrivateKey, pk: &[u8; 32], info: &[u8], plaintext: &[u8], aad: &[u8]) -> Result<Sealed, SealError> {
    let enc = public_of(eph).map_err(|_| SealError::Seal)?;
    let dh = dh(eph, pk).map_err(|_| SealError::Key("not a usable X25519 public key".into()))?;
    let (key, nonce) = schedule(&dh, &enc, pk, info).map_err(|_| SealError::Seal)?;
    let mut ct = plaintext.to_vec();
    key.seal_in_place_append_tag(nonce, Aad::from(aad), &mut ct).map_err(|_| SealError::Seal)?;
    Ok(Sealed { enc: hex::encode(enc), ct: hex::encode(ct) })
}

/// DH(sk, pk): X25519, refused when the result is all zeros (a small-order point, RFC 9180
/// §7.1.4; AWS-LC refuses it).
fn dh(sk: &PrivateKey, pk: &[u8]) -> Result<[u8; 32], ()> {
    agreement::agree(sk, UnparsedPublicKey::new(&X25519, pk), (), |z| z.try_into().map_err(|_| ()))
}

/// An HKDF output length, as aws-lc-rs takes one.
struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// LabeledExtract(salt, label, ikm) (RFC 9180 §4): HKDF-Extract, which is HMAC keyed by
/// the salt. Its bytes are needed (the key schedule's context hashes), which aws-lc-rs's
/// `hkdf::Prk` keeps to itself, so it is computed as the HMAC it is.
fn labeled_extract(salt: &[u8], suite: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, salt));
    for part in [VERSION, suite, label, ikm] {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

/// LabeledExpand(prk, label, info, L) (RFC 9180 §4).
fn labeled_expand(prk: &[u8; 32], suite: &[u8], label: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), ()> {
    let l = u16::try_from(out.len()).map_err(|_| ())?.to_be_bytes();
    let parts = [&l[..], VERSION, suite, label, info];
    let prk = hkdf::Prk::new_less_safe(HKDF_SHA256, prk);
    prk.expand(&parts, Len(out.len())).and_then(|okm| okm.fill(out)).map_err(|_| ())
}

/// The KEM's shared secret from `dh`, then the base mode's key schedule with this network's
/// `info` (RFC 9180 §4.1, §5.1): the AEAD key and the first message's nonce.
fn schedule(dh: &[u8; 32], enc: &[u8], pk_r: &[u8; 32], info: &[u8]) -> Result<(LessSafeKey, Nonce), ()> {
    let kem_context = [enc, &pk_r[..]].concat();
    let eae_prk = labeled_extract(&[], KEM_SUITE, b"eae_prk", dh);
    let mut shared = [0u8; 32];
    labeled_expand(&eae_prk, KEM_SUITE, b"shared_secret", &kem_context, &mut shared)?;
    // mode_base (0) || psk_id_hash || info_hash; no PSK in base mode.
    let psk_id_hash = labeled_extract(&[], HPKE_SUITE, b"psk_id_hash", &[]);
    let info_hash = labeled_extract(&[], HPKE_SUITE, b"info_hash", info);
    let context = [&[0u8][..], &psk_id_hash, &info_hash].concat();
    let secret = labeled_extract(&shared, HPKE_SUITE, b"secret", &[]);
    let mut key = [0u8; 32];
    let mut nonce = [0u8; 12];
    labeled_expand(&secret, HPKE_SUITE, b"key", &context, &mut key)?;
    labeled_expand(&secret, HPKE_SUITE, b"base_nonce", &context, &mut nonce)?;
    let key = LessSafeKey::new(UnboundKey::new(&aead::CHACHA20_POLY1305, &key).map_err(|_| ())?);
    Ok((key, Nonce::assume_unique_for_key(nonce)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recipient_opens_and_only_for_its_exchange() {
        let requester = SealKey::generate().unwrap();
        let sealed = seal(&requester.public_hex(), b"{\"tax\":1}", b"m1").unwrap();
        assert_eq!(requester.open(&sealed, b"m1").unwrap(), b"{\"tax\":1}");
        assert_eq!(requester.open(&sealed, b"m2"), Err(SealError::Open), "moved to another exchange");
        assert_eq!(SealKey::generate().unwrap().open(&sealed, b"m1"), Err(SealError::Open), "another node");
        let mut bad = sealed.clone();
        bad.ct.replace_range(0..2, if &bad.ct[0..2] == "00" { "01" } else { "00" });
        assert_eq!(requester.open(&bad, b"m1"), Err(SealError::Open));
        let again = SealKey::from_secret_hex(&requester.secret_hex().unwrap()).unwrap();
        assert_eq!(again.public_hex(), requester.public_hex());
        assert!(matches!(seal("zz", b"x", b""), Err(SealError::Key(_))));
    }

    /// RFC 9180 A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, base mode.
    #[test]
    fn the_rfc_9180_test_vector_seals_and_opens() {
        let info = hex::decode("4f6465206f6e2061204772656369616e2055726e").unwrap();
        let sk_e = hex::decode("f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600").unwrap();
        let eph = PrivateKey::from_private_key(&X25519, &sk_e).unwrap();
        let recipient =
            SealKey::from_secret_hex("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb").unwrap();
        assert_eq!(recipient.public_hex(), "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a");
        let aad = hex::decode("436f756e742d30").unwrap();
        let pt = hex::decode("4265617574792069732074727574682c20747275746820626561757479").unwrap();
        let sealed = seal_with(&eph, &recipient.public, &info, &pt, &aad).unwrap();
        assert_eq!(sealed.enc, "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a");
        assert_eq!(
            sealed.ct,
            "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28"
        );
        assert_eq!(recipient.open_with(&info, &sealed, &aad).unwrap(), pt);
    }

    /// The `hpke` crate, an implementation independent of this one, opens what this seals and
    /// seals what this opens.
    #[test]
    fn the_hpke_crate_opens_what_we_seal_and_we_open_what_it_seals() {
        use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
        type Kem = hpke::kem::X25519HkdfSha256;
        type Aead = hpke::aead::ChaCha20Poly1305;
        type Kdf = hpke::kdf::HkdfSha256;
        let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
        let (sk, pk) = Kem::gen_keypair(&mut rng);
        let ours = seal(&hex::encode(pk.to_bytes()), b"{\"tax\":1}", b"m1").unwrap();
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&hex::decode(&ours.enc).unwrap()).unwrap();
        let opened = hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &sk,
            &enc,
            INFO,
            &hex::decode(&ours.ct).unwrap(),
            b"m1",
        )
        .unwrap();
        assert_eq!(opened, b"{\"tax\":1}");

        let key = SealKey::generate().unwrap();
        let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&key.public).unwrap();
        let (enc, ct) =
            hpke::single_shot_seal::<Aead, Kdf, Kem, _>(&OpModeS::Base, &pk, INFO, b"payload", b"m2", &mut rng)
                .unwrap();
        let theirs = Sealed { enc: hex::encode(enc.to_bytes()), ct: hex::encode(ct) };
        assert_eq!(key.open(&theirs, b"m2").unwrap(), b"payload");
        assert_eq!(key.open(&theirs, b"m3"), Err(SealError::Open));
    }

    #[test]
    fn a_small_order_public_key_is_refused() {
        assert!(matches!(seal(&"00".repeat(32), b"x", b""), Err(SealError::Key(_))));
    }
}
