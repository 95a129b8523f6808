//! The software card: a card token kept as a file by its holder.
//!
//! Each private key is sealed (AES-256-GCM) under a key derived from its secret with Argon2id,
//! and once more under a random reset key that J-LIS keeps for the municipality's lock reset.
//! The try counter is written *before* a secret is checked, as a chip does, so pulling the
//! plug after a wrong try does not give the try back.
//!
//! What a file cannot do that a chip does (said in the README too): a copy of the file keeps its
//! own counter, so someone who copies it can guess without limit, each guess costing one Argon2id
//! derivation (about 0.1 s and 64 MiB); a 4-digit PIN falls to that in hours. A chip also never
//! releases the key to the host, where this file's key is decrypted in the holder's process
//! while signing. Treat the file like a private key, not like a card.

use argon2::{Algorithm, Argon2, Params, Version};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};

use crate::key::RsaKey;
use crate::token::{CardToken, TokenError};
use crate::{CardCert, CertKind, PkiError, Secret, csr};

mod face;
pub use face::{FACE_TRIES, FaceSlot};

pub const FORMAT: &str = "myna-softcard/1";

/// Argon2id cost. The default is OWASP's first recommended setting; tests use a light one.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self { m_kib: 64 * 1024, t: 3, p: 1 }
    }
}

impl KdfParams {
    /// Cheap parameters for tests and demos that create many cards. Still Argon2id.
    pub const LIGHT: KdfParams = KdfParams { m_kib: 1024, t: 1, p: 1 };

    fn argon(&self) -> Result<Argon2<'static>, TokenError> {
        // Bounds stop a crafted file from asking for gigabytes.
        if self.m_kib > 1024 * 1024 || self.t > 16 || self.p > 8 {
            return Err(TokenError::Damaged("key-derivation cost out of range".into()));
        }
        let params =
            Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|e| TokenError::Damaged(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// One key slot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slot {
    /// The certificate, once issued (PEM).
    pub certificate: Option<String>,
    /// The public key (SubjectPublicKeyInfo DER, base64), to match the certificate against.
    pub public_key: String,
    salt: String,
    sealed: String,
    reset_sealed: String,
    pub tries_left: u8,
}

/// The file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardFile {
    pub format: String,
    pub card_number: Option<String>,
    pub card_expires: Option<time::Date>,
    pub kdf: KdfParams,
    pub signing: Slot,
    pub user_auth: Slot,
    /// 券面事項入力補助 (`face.rs`); absent until J-LIS's face data is written, and in card
    /// files made before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<FaceSlot>,
}

/// Where the card's bytes go after every change. Writes must be durable before returning.
pub trait CardStore {
    fn save(&mut self, bytes: &[u8]) -> Result<(), String>;
}

/// An in-memory store (tests, and cards the demo holds for its residents).
impl CardStore for Vec<u8> {
    fn save(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.clear();
        self.extend_from_slice(bytes);
        Ok(())
    }
}

pub struct SoftCard<S: CardStore> {
    file: CardFile,
    store: S,
}

/// What a new card sends to the authority: one request per key, and the reset key.
pub struct NewCard {
    pub signing_csr: Vec<u8>,
    pub user_auth_csr: Vec<u8>,
    pub reset_key: [u8; 32],
}

fn random<const N: usize>() -> Result<[u8; N], TokenError> {
    let mut b = [0u8; N];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| PkiError::Crypto("random"))?;
    Ok(b)
}

fn aad(kind: CertKind) -> Vec<u8> {
    format!("{FORMAT}|{}", kind.slug()).into_bytes()
}

fn seal(key: &[u8; 32], kind: CertKind, plain: &[u8]) -> Result<String, TokenError> {
    seal_for(key, &aad(kind), plain)
}

/// AES-256-GCM under `key`, bound to what the sealed bytes are (`aad`), nonce first.
fn seal_for(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<String, TokenError> {
    let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(|_| PkiError::Crypto("AES key"))?);
    let nonce = random::<NONCE_LEN>()?;
    let mut buf = plain.to_vec();
    k.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
        .map_err(|_| PkiError::Crypto("AES-GCM seal"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buf);
    Ok(Base64::encode_string(&out))
}

/// `None` when the key is wrong (the only thing GCM can say, which is the point).
fn open(key: &[u8; 32], kind: CertKind, sealed: &str) -> Result<Option<Vec<u8>>, TokenError> {
    open_for(key, &aad(kind), sealed)
}

fn open_for(key: &[u8; 32], aad: &[u8], sealed: &str) -> Result<Option<Vec<u8>>, TokenError> {
    let bytes = Base64::decode_vec(sealed).map_err(|_| TokenError::Damaged("sealed key is not base64".into()))?;
    if bytes.len() < NONCE_LEN + 16 {
        return Err(TokenError::Damaged("sealed key too short".into()));
    }
    let (nonce, body) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| TokenError::Damaged("nonce".into()))?;
    let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(|_| PkiError::Crypto("AES key"))?);
    let mut buf = body.to_vec();
    Ok(k.open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf).ok().map(|p| p.to_vec()))
}

fn derive(kdf: &KdfParams, secret: &Secret, salt: &str) -> Result<[u8; 32], TokenError> {
    let salt = Base64::decode_vec(salt).map_err(|_| TokenError::Damaged("salt is not base64".into()))?;
    let mut out = [0u8; 32];
    kdf.argon()?.hash_password_into(secret.bytes(), &salt, &mut out).map_err(|e| TokenError::Damaged(e.to_string()))?;
    Ok(out)
}

fn new_slot(kdf: &KdfParams, secret: &Secret, key: &RsaKey, reset: &[u8; 32]) -> Result<Slot, TokenError> {
    let pkcs8 = key.to_pkcs8()?;
    let salt = Base64::encode_string(&random::<16>()?);
    let k = derive(kdf, secret, &salt)?;
    let kind = secret.kind();
    let spki = der::Encode::to_der(&key.public_spki()?).map_err(PkiError::from)?;
    Ok(Slot {
        certificate: None,
        public_key: Base64::encode_string(&spki),
        sealed: seal(&k, kind, &pkcs8)?,
        reset_sealed: seal(reset, kind, &pkcs8)?,
        salt,
        tries_left: kind.max_tries(),
    })
}

/// A private key taken out of its slot after the secret checked: signs until dropped, as a
/// chip stays verified for the rest of a session.
pub struct UnlockedKey {
    key: RsaKey,
}

impl UnlockedKey {
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, TokenError> {
        Ok(self.key.sign_digest(digest)?)
    }
}

impl<S: CardStore> SoftCard<S> {
    /// Generates both key pairs inside the new card and seals them; returns the card and what to
    /// send to the authority. The card is saved before this returns.
    pub fn create(
        signing: &Secret,
        user_auth: &Secret,
        kdf: KdfParams,
        store: S,
    ) -> Result<(Self, NewCard), TokenError> {
        if signing.kind() != CertKind::Signing || user_auth.kind() != CertKind::UserAuth {
            return Err(TokenError::SecretForm("the secrets are given in the wrong order".into()));
        }
        let reset_key = random::<32>()?;
        let sk = RsaKey::generate()?;
        let ak = RsaKey::generate()?;
        let file = CardFile {
            format: FORMAT.into(),
            card_number: None,
            card_expires: None,
            kdf,
            signing: new_slot(&kdf, signing, &sk, &reset_key)?,
            user_auth: new_slot(&kdf, user_auth, &ak, &reset_key)?,
            face: None,
        };
        let mut card = Self { file, store };
        card.save()?;
        let new = NewCard { signing_csr: csr::build(&sk)?, user_auth_csr: csr::build(&ak)?, reset_key };
        Ok((card, new))
    }

    /// Reads a card file.
    pub fn open(bytes: &[u8], store: S) -> Result<Self, TokenError> {
        let file: CardFile = serde_json::from_slice(bytes).map_err(|e| TokenError::Damaged(e.to_string()))?;
        if file.format != FORMAT {
            return Err(TokenError::Damaged(format!("format {:?}, expected {FORMAT}", file.format)));
        }
        for kind in CertKind::ALL {
            let tries = Self::slot_of(&file, kind).tries_left;
            if tries > kind.max_tries() {
                return Err(TokenError::Damaged(format!("{} tries left exceeds the maximum", tries)));
            }
        }
        Ok(Self { file, store })
    }

    pub fn file(&self) -> &CardFile {
        &self.file
    }

    pub fn into_store(self) -> S {
        self.store
    }

    fn slot_of(file: &CardFile, kind: CertKind) -> &Slot {
        match kind {
            CertKind::Signing => &file.signing,
            CertKind::UserAuth => &file.user_auth,
        }
    }

    fn slot(&mut self, kind: CertKind) -> &mut Slot {
        match kind {
            CertKind::Signing => &mut self.file.signing,
            CertKind::UserAuth => &mut self.file.user_auth,
        }
    }

    fn save(&mut self) -> Result<(), TokenError> {
        let bytes = serde_json::to_vec_pretty(&self.file).map_err(|e| TokenError::Storage(e.to_string()))?;
        self.store.save(&bytes).map_err(TokenError::Storage)
    }

    /// Puts the issued certificates and card details in; each certificate must be for the key
    /// in its slot.
    pub fn install(
        &mut self,
        card_number: &str,
        expires: time::Date,
        signing: &str,
        user_auth: &str,
    ) -> Result<(), TokenError> {
        for (kind, pem) in [(CertKind::Signing, signing), (CertKind::UserAuth, user_auth)] {
            let cert = CardCert::parse(pem.as_bytes())?;
            if cert.kind != kind {
                return Err(PkiError::WrongPolicy { wanted: kind, got: cert.kind }.into());
            }
            let spki =
                der::Encode::to_der(&cert.cert.tbs_certificate.subject_public_key_info).map_err(PkiError::from)?;
            if Base64::encode_string(&spki) != Self::slot_of(&self.file, kind).public_key {
                return Err(TokenError::Damaged(format!("the {kind} certificate is for another key")));
            }
        }
        self.file.card_number = Some(card_number.to_owned());
        self.file.card_expires = Some(expires);
        self.file.signing.certificate = Some(signing.to_owned());
        self.file.user_auth.certificate = Some(user_auth.to_owned());
        self.save()
    }

    /// Checks the secret, spending a try first; on success the counter is full again.
    pub fn unlock(&mut self, secret: &Secret) -> Result<UnlockedKey, TokenError> {
        let kind = secret.kind();
        let tries = self.slot(kind).tries_left;
        if tries == 0 {
            return Err(TokenError::Locked(kind));
        }
        self.slot(kind).tries_left = tries - 1;
        self.save()?;
        let slot = Self::slot_of(&self.file, kind);
        let k = derive(&self.file.kdf, secret, &slot.salt)?;
        match open(&k, kind, &slot.sealed)? {
            None => Err(match tries - 1 {
                0 => TokenError::Locked(kind),
                n => TokenError::WrongSecret { kind, tries_left: n },
            }),
            Some(pkcs8) => {
                self.slot(kind).tries_left = kind.max_tries();
                self.save()?;
                Ok(UnlockedKey { key: RsaKey::from_pkcs8(&pkcs8)? })
            }
        }
    }

    /// The municipality's reset of a locked (or forgotten) secret: J-LIS releases the card's
    /// reset key after the clerk checked the holder's identity.
    pub fn reset(&mut self, reset_key: &[u8; 32], new: &Secret) -> Result<(), TokenError> {
        let kind = new.kind();
        let pkcs8 =
            open(reset_key, kind, &Self::slot_of(&self.file, kind).reset_sealed)?.ok_or(TokenError::WrongResetKey)?;
        self.reseal(new, &pkcs8)
    }

    /// A new signing key made inside the card (at the counter, after a move or a change of
    /// name: the old certificate names the old address). The password is checked first, as
    /// for signing; the new key is sealed under it and under the card's reset key, which J-LIS
    /// released to the municipality and which must open the old key's reset seal. The old
    /// certificate leaves with the old key. Returns the PKCS#10 request (DER).
    pub fn renew_signing(&mut self, password: &Secret, reset_key: &[u8; 32]) -> Result<Vec<u8>, TokenError> {
        if password.kind() != CertKind::Signing {
            return Err(TokenError::SecretForm("the signing password renews the signing key".into()));
        }
        open(reset_key, CertKind::Signing, &self.file.signing.reset_sealed)?.ok_or(TokenError::WrongResetKey)?;
        self.unlock(password)?;
        let key = RsaKey::generate()?;
        self.file.signing = new_slot(&self.file.kdf, password, &key, reset_key)?;
        self.save()?;
        Ok(csr::build(&key)?)
    }

    /// Puts a new signing certificate in; it must be a signing certificate for the key in the
    /// slot.
    pub fn install_signing(&mut self, pem: &str) -> Result<(), TokenError> {
        let cert = CardCert::parse(pem.as_bytes())?;
        if cert.kind != CertKind::Signing {
            return Err(PkiError::WrongPolicy { wanted: CertKind::Signing, got: cert.kind }.into());
        }
        let spki = der::Encode::to_der(&cert.cert.tbs_certificate.subject_public_key_info).map_err(PkiError::from)?;
        if Base64::encode_string(&spki) != self.file.signing.public_key {
            return Err(TokenError::Damaged("the signing certificate is for another key".into()));
        }
        self.file.signing.certificate = Some(pem.to_owned());
        self.save()
    }

    /// Seals the slot's key under a new secret, with a fresh salt and a full try counter.
    fn reseal(&mut self, new: &Secret, pkcs8: &[u8]) -> Result<(), TokenError> {
        let kind = new.kind();
        let salt = Base64::encode_string(&random::<16>()?);
        let k = derive(&self.file.kdf, new, &salt)?;
        let sealed = seal(&k, kind, pkcs8)?;
        let slot = self.slot(kind);
        slot.salt = salt;
        slot.sealed = sealed;
        slot.tries_left = kind.max_tries();
        self.save()
    }
}

impl<S: CardStore> CardToken for SoftCard<S> {
    fn certificate(&self, kind: CertKind) -> Option<&str> {
        Self::slot_of(&self.file, kind).certificate.as_deref()
    }

    fn tries_left(&self, kind: CertKind) -> u8 {
        Self::slot_of(&self.file, kind).tries_left
    }

    type Opened = UnlockedKey;

    fn open_key(&mut self, secret: &Secret) -> Result<UnlockedKey, TokenError> {
        if self.certificate(secret.kind()).is_none() {
            return Err(TokenError::NotIssued(secret.kind()));
        }
        self.unlock(secret)
    }

    fn sign_opened(key: &UnlockedKey, digest: &[u8; 32]) -> Result<Vec<u8>, TokenError> {
        key.sign_digest(digest)
    }

    fn sign_digest(&mut self, secret: &Secret, digest: &[u8; 32]) -> Result<Vec<u8>, TokenError> {
        if self.certificate(secret.kind()).is_none() {
            return Err(TokenError::NotIssued(secret.kind()));
        }
        self.unlock(secret)?.sign_digest(digest)
    }

    fn change_secret(&mut self, old: &Secret, new: &Secret) -> Result<(), TokenError> {
        if old.kind() != new.kind() {
            return Err(TokenError::SecretForm("the old and new secrets are for different keys".into()));
        }
        let key = self.unlock(old)?;
        self.reseal(new, &key.key.to_pkcs8()?)
    }
}
