//! Agency-specific codes (機関別符号): each agency knows a person by a code of its own, and
//! only the hub can turn one agency's code into another's. The individual number is never
//! part of a code and never travels.
//!
//! A code is the person's hub-internal link id encrypted under a key of the agency's own
//! (AES-128 on one block: a keyed permutation, so distinct people get distinct codes, and
//! the hub translates A's code into B's by decrypting and encrypting, with no table of
//! codes to store or leak). The block carries a fixed 8-byte tag beside the id, so a code
//! of agency B presented as agency A's decrypts to garbage and is refused (a false accept
//! has probability 2⁻⁶⁴). Agency keys are derived from the hub's master key with
//! HMAC-SHA-256 over the agency id. AES is used directly because no crate offers "a
//! reversible per-tenant pseudonym" as such; the construction is this file.

use std::{fmt, str::FromStr};

use aes::{
    Aes128,
    cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit},
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const TAG: [u8; 8] = *b"myna-ac1";
const KEY_LABEL: &[u8] = b"myna/agency-code/v1\0";
const LOG_TAG_LABEL: &[u8] = b"myna/log-subject/v1\0";

/// The hub's own pseudonym for a person (given by J-LIS when the person's number is first
/// registered by an agency). It never leaves the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkId(pub u64);

/// An agency's id on the network: 1–64 of a–z, 0–9, `_`, `-`, `:` (e.g. `municipality:131016`).
/// The part before the first `:` is its kind in the permission table (`AgencyId::kind`). It
/// is the common name of the agency's certificate from the network CA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyId(String);

impl AgencyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The agency's kind, from its id's prefix (`municipality:131016` → municipality).
    pub fn kind(&self) -> Result<crate::AgencyKind, crate::TableError> {
        self.0.split(':').next().unwrap_or_default().parse()
    }
}

impl TryFrom<String> for AgencyId {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        s.parse()
    }
}

impl From<AgencyId> for String {
    fn from(a: AgencyId) -> String {
        a.0
    }
}

impl FromStr for AgencyId {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        if crate::ids::is_valid_id(s, b"-:") {
            Ok(Self(s.to_string()))
        } else {
            Err(CodeError::BadAgency(s.chars().take(70).collect()))
        }
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One agency's code for one person: 32 hexadecimal digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode([u8; 16]);

impl TryFrom<String> for AgencyCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        s.parse()
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> String {
        c.to_string()
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyCode({self})")
    }
}

impl FromStr for AgencyCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        let bad = || CodeError::Malformed(s.chars().take(40).collect());
        if s.len() != 32 {
            return Err(bad());
        }
        let mut out = [0u8; 16];
        hex::decode_to_slice(s, &mut out).map_err(|_| bad())?;
        Ok(Self(out))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("an agency id is 1–64 of a–z, 0–9, _, - and :, got {0:?}")]
    BadAgency(String),
    #[error("an agency code is 32 hexadecimal digits, got {0:?}")]
    Malformed(String),
    #[error("this code was not issued to agency {0}: an agency can only use its own codes")]
    NotThisAgency(AgencyId),
}

/// The hub's code book: issues, resolves and translates agency codes under one master key.
pub struct CodeBook {
    master: [u8; 32],
}

impl fmt::Debug for CodeBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeBook(key hidden)")
    }
}

impl CodeBook {
    pub fn new(master: [u8; 32]) -> Self {
        Self { master }
    }

    /// HMAC-SHA-256 of `label ‖ data` under the master key.
    fn derive(&self, label: &[u8], data: &[u8]) -> [u8; 32] {
        // HMAC zero-pads a key shorter than the hash's 64-byte block, so padding it here is
        // the same HMAC, through the constructor that cannot fail.
        let mut block_key = [0u8; 64];
        block_key[..32].copy_from_slice(&self.master);
        let mut mac = <Hmac<Sha256> as Mac>::new(&block_key.into());
        mac.update(label);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    fn cipher(&self, agency: &AgencyId) -> Aes128 {
        let full = self.derive(KEY_LABEL, agency.as_str().as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&full[..16]);
        Aes128::new(&Array::from(key))
    }

    /// The person's tag in the exchange log (32 hex digits): one per person across agencies,
    /// so the hub can list a resident's records, and meaningless without the master key.
    pub fn log_tag(&self, id: LinkId) -> String {
        hex::encode(&self.derive(LOG_TAG_LABEL, &id.0.to_be_bytes())[..16])
    }

    /// `agency`'s code for the person `id` (符号取得).
    pub fn issue(&self, agency: &AgencyId, id: LinkId) -> AgencyCode {
        let mut block = [0u8; 16];
        block[..8].copy_from_slice(&TAG);
        block[8..].copy_from_slice(&id.0.to_be_bytes());
        let mut b = Array::from(block);
        self.cipher(agency).encrypt_block(&mut b);
        AgencyCode(b.into())
    }

    /// The person behind `agency`'s `code`, refused when the code is not that agency's.
    pub fn resolve(&self, agency: &AgencyId, code: &AgencyCode) -> Result<LinkId, CodeError> {
        let mut b = Array::from(code.0);
        self.cipher(agency).decrypt_block(&mut b);
        let block: [u8; 16] = b.into();
        if block[..8] != TAG {
            return Err(CodeError::NotThisAgency(agency.clone()));
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&block[8..]);
        Ok(LinkId(u64::from_be_bytes(id)))
    }

    /// `to`'s code for the person `from` knows by `code`: what the hub does for each query.
    pub fn translate(&self, from: &AgencyId, code: &AgencyCode, to: &AgencyId) -> Result<AgencyCode, CodeError> {
        Ok(self.issue(to, self.resolve(from, code)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(s: &str) -> AgencyId {
        s.parse().unwrap()
    }

    #[test]
    fn codes_differ_by_agency_and_translate_only_through_the_hub() {
        let book = CodeBook::new([7; 32]);
        let (city, pension) = (agency("municipality:131016"), agency("pension_service"));
        let person = LinkId(42);
        let a = book.issue(&city, person);
        let b = book.issue(&pension, person);
        assert_ne!(a, b, "two agencies' codes for one person differ");
        assert_eq!(book.translate(&city, &a, &pension), Ok(b));
        assert_eq!(book.resolve(&pension, &b), Ok(person));
        // Another hub key gives other codes: the codes say nothing without the key.
        assert_ne!(CodeBook::new([8; 32]).issue(&city, person), a);
    }

    #[test]
    fn an_agency_cannot_use_another_agencys_code() {
        let book = CodeBook::new([7; 32]);
        let (city, pension) = (agency("municipality:131016"), agency("pension_service"));
        let b = book.issue(&pension, LinkId(42));
        assert_eq!(book.resolve(&city, &b), Err(CodeError::NotThisAgency(city.clone())));
        assert!(book.translate(&city, &b, &pension).is_err());
    }

    #[test]
    fn the_padded_key_is_plain_hmac_of_the_master_key() {
        let master = [3u8; 32];
        let mut padded = [0u8; 64];
        padded[..32].copy_from_slice(&master);
        let mut a = <Hmac<Sha256> as Mac>::new(&padded.into());
        let mut b = <Hmac<Sha256> as Mac>::new_from_slice(&master).unwrap();
        a.update(b"x");
        b.update(b"x");
        assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
    }

    #[test]
    fn the_log_tag_is_one_per_person_and_not_a_code() {
        let book = CodeBook::new([7; 32]);
        let city = agency("municipality:131016");
        assert_eq!(book.log_tag(LinkId(42)), book.log_tag(LinkId(42)));
        assert_ne!(book.log_tag(LinkId(42)), book.log_tag(LinkId(43)));
        assert_ne!(book.log_tag(LinkId(42)), book.issue(&city, LinkId(42)).to_string());
        assert_ne!(CodeBook::new([8; 32]).log_tag(LinkId(42)), book.log_tag(LinkId(42)));
    }

    #[test]
    fn distinct_people_get_distinct_codes() {
        let book = CodeBook::new([1; 32]);
        let city = agency("municipality:271276");
        let codes: std::collections::HashSet<_> = (0..10_000).map(|i| book.issue(&city, LinkId(i))).collect();
        assert_eq!(codes.len(), 10_000);
    }

    #[test]
    fn codes_and_agency_ids_parse_with_reasons() {
        let book = CodeBook::new([1; 32]);
        let c = book.issue(&agency("x"), LinkId(1));
        assert_eq!(c.to_string().parse::<AgencyCode>(), Ok(c));
        assert!(matches!("abc".parse::<AgencyCode>(), Err(CodeError::Malformed(_))));
        assert!(matches!("zz".repeat(16).parse::<AgencyCode>(), Err(CodeError::Malformed(_))));
        assert!(matches!("City Hall".parse::<AgencyId>(), Err(CodeError::BadAgency(_))));
        assert!(matches!("".parse::<AgencyId>(), Err(CodeError::BadAgency(_))));
    }
}
