//! The signed code a document carries, so that it proves itself offline: the document as CBOR
//! in a COSE_Sign1 (RFC 9052, ES256) signed by the issuing municipality, compressed with zlib
//! and written in base45 (RFC 9285) after a prefix — the EU digital COVID certificate's
//! layout, which fits one QR code in its alphanumeric mode. The key id names the issuer; a
//! verifier needs only the issuers' public keys.

use std::collections::HashMap;

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, UnparsedPublicKey},
};
use coset::{CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};

use crate::Document;

/// What every code starts with: the format and its version.
pub const PREFIX: &str = "JPDOC1:";
/// No document's CBOR comes near this; a code that inflates past it is refused.
const MAX_INFLATED: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("not a document code: it must start with {PREFIX}")]
    NotACode,
    #[error("the code is damaged (not base45): {0}")]
    Encoding(String),
    #[error("the code is damaged (does not inflate)")]
    Compression,
    #[error("the code is not a signed document (COSE_Sign1): {0}")]
    Cose(String),
    #[error("the code is signed with {0}, not ES256")]
    Algorithm(String),
    #[error("issuer {0:?} is not among the issuers' keys at hand")]
    UnknownIssuer(String),
    #[error("the signature does not match: the document was altered, or not issued by {0}")]
    Altered(String),
    #[error("the signed content is not a document: {0}")]
    Payload(String),
    #[error("the document names issuer {named} but is signed by {signer}")]
    IssuerMismatch { named: String, signer: String },
    #[error("the issuer's key cannot sign: {0}")]
    Key(String),
}

/// An issuer's signing key: its P-256 key pair and its key id (its local government code).
pub struct IssuerKey {
    kid: String,
    key: EcdsaKeyPair,
}

impl IssuerKey {
    /// From PKCS#8 DER.
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, CodeError> {
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map_err(|e| CodeError::Key(e.to_string()))?;
        Ok(Self { kid: kid.to_owned(), key })
    }

    /// A new key (the municipality's first start), as PKCS#8 DER to keep.
    pub fn generate() -> Result<Vec<u8>, CodeError> {
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(|e| CodeError::Key(e.to_string()))?;
        Ok(doc.as_ref().to_vec())
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key (uncompressed SEC1 point), for the issuers' key list.
    pub fn public(&self) -> Vec<u8> {
        self.key.public_key().as_ref().to_vec()
    }

    /// The document's code.
    pub fn sign(&self, doc: &Document) -> Result<String, CodeError> {
        let mut payload = Vec::new();
        ciborium::into_writer(doc, &mut payload).map_err(|e| CodeError::Payload(e.to_string()))?;
        let protected =
            HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(self.kid.as_bytes().to_vec()).build();
        let rng = SystemRandom::new();
        let sign1 = CoseSign1Builder::new()
            .protected(protected)
            .payload(payload)
            .try_create_signature(&[], |tbs| {
                self.key.sign(&rng, tbs).map(|s| s.as_ref().to_vec()).map_err(|e| CodeError::Key(e.to_string()))
            })?
            .build();
        let cbor = sign1.to_tagged_vec().map_err(|e| CodeError::Cose(e.to_string()))?;
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&cbor, 9);
        Ok(format!("{PREFIX}{}", base45::encode(&packed)))
    }
}

/// The issuers' public keys by key id, with the name each is known by.
#[derive(Debug, Clone, Default)]
pub struct IssuerKeys {
    keys: HashMap<String, (String, Vec<u8>)>,
}

/// One issuer in a key list file (`myna doc verify --keys`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedKey {
    pub kid: String,
    pub name: String,
    /// The P-256 public key, uncompressed SEC1, in hex.
    pub public: String,
}

/// A key list as published: `{"issuers": [...], "log": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyList {
    pub issuers: Vec<PublishedKey>,
    /// J-LIS's issuance log, whose receipts documents carry (J-LIS's list has it; a
    /// municipality's own does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogKey>,
}

/// The transparency log's note key, as a key list carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogKey {
    pub origin: String,
    /// C2SP signed-note verifier key (`name+hash+base64`).
    pub vkey: String,
}

impl IssuerKeys {
    /// From a published key list; a key that is not hex is refused naming its issuer.
    pub fn from_list(list: &KeyList) -> Result<Self, CodeError> {
        let mut keys = Self::default();
        for k in &list.issuers {
            let public = hex::decode(&k.public)
                .map_err(|e| CodeError::Key(format!("the key of {} ({}) is not hex: {e}", k.name, k.kid)))?;
            keys.add(&k.kid, &k.name, public);
        }
        Ok(keys)
    }

    pub fn add(&mut self, kid: &str, name: &str, public: Vec<u8>) {
        self.keys.insert(kid.to_owned(), (name.to_owned(), public));
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks `code` and reads its document: signed by a key at hand, unaltered, naming the
    /// issuer whose key signed it.
    pub fn open(&self, code: &str) -> Result<Document, CodeError> {
        let body = code.trim().strip_prefix(PREFIX).ok_or(CodeError::NotACode)?;
        let packed = base45::decode(body).map_err(|e| CodeError::Encoding(e.to_string()))?;
        let cbor = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_INFLATED)
            .map_err(|_| CodeError::Compression)?;
        let sign1 = CoseSign1::from_tagged_slice(&cbor)
            .or_else(|_| CoseSign1::from_slice(&cbor))
            .map_err(|e| CodeError::Cose(e.to_string()))?;
        let alg = &sign1.protected.header.alg;
        if *alg != Some(coset::RegisteredLabelWithPrivate::Assigned(iana::Algorithm::ES256)) {
            return Err(CodeError::Algorithm(format!("{alg:?}")));
        }
        let kid = String::from_utf8_lossy(&sign1.protected.header.key_id).into_owned();
        let (name, public) = self.keys.get(&kid).ok_or_else(|| CodeError::UnknownIssuer(kid.clone()))?;
        sign1
            .verify_signature(&[], |sig, tbs| UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public).verify(tbs, sig))
            .map_err(|_| CodeError::Altered(name.clone()))?;
        let payload = sign1.payload.as_deref().ok_or_else(|| CodeError::Payload("no payload".into()))?;
        let doc: Document = ciborium::from_reader(payload).map_err(|e| CodeError::Payload(e.to_string()))?;
        if doc.issuer.code != kid {
            return Err(CodeError::IssuerMismatch { named: doc.issuer.code, signer: kid });
        }
        Ok(doc)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Channel, DocKind, Issuer, Line, Person};

    pub(crate) fn sample() -> Document {
        Document {
            serial: "131016-20261207-000001".into(),
            kind: DocKind::ResidentCopy,
            issuer: Issuer { code: "131016".into(), name: "千代田区長".into() },
            issued_at: 1_796_600_000,
            channel: Channel::Kiosk("store-0001".into()),
            people: vec![Person {
                name: "山田 花子".into(),
                kana: Some("ヤマダ ハナコ".into()),
                birth: "1990-04-01".into(),
                sex: Some("女".into()),
                relationship: None,
                number: None,
            }],
            lines: vec![Line {
                label: "住所".into(), value: "東京都千代田区霞が関二丁目1番1号".into()
            }],
        }
    }

    fn issuer() -> (IssuerKey, IssuerKeys) {
        let key = IssuerKey::from_pkcs8("131016", &IssuerKey::generate().unwrap()).unwrap();
        let mut keys = IssuerKeys::default();
        keys.add("131016", "千代田区長", key.public());
        (key, keys)
    }

    #[test]
    fn a_code_reads_back_its_document_and_fits_one_qr_code() {
        let (key, keys) = issuer();
        let code = key.sign(&sample()).unwrap();
        assert!(code.len() < 1_000, "{} characters", code.len());
        assert_eq!(keys.open(&code).unwrap(), sample());
    }

    #[test]
    fn an_altered_code_another_issuer_and_a_foreign_string_are_refused() {
        let (key, keys) = issuer();
        let code = key.sign(&sample()).unwrap();
        // One character changed anywhere after the prefix: damaged or altered, never accepted.
        for i in (PREFIX.len()..code.len()).step_by(7) {
            let mut chars: Vec<char> = code.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            assert!(keys.open(&altered).is_err(), "position {i} accepted");
        }
        let (other, _) = issuer();
        let forged = other.sign(&sample()).unwrap();
        assert_eq!(keys.open(&forged), Err(CodeError::Altered("千代田区長".into())));
        let mut elsewhere = sample();
        elsewhere.issuer.code = "271004".into();
        assert_eq!(
            keys.open(&key.sign(&elsewhere).unwrap()),
            Err(CodeError::IssuerMismatch { named: "271004".into(), signer: "131016".into() })
        );
        assert_eq!(IssuerKeys::default().open(&code), Err(CodeError::UnknownIssuer("131016".into())));
        assert_eq!(keys.open("HC1:6BF"), Err(CodeError::NotACode));
    }
}
