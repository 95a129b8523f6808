//! The IETF Token Status List (draft-ietf-oauth-status-list): a registration's standing as
//! two bits at its index in a published list — valid, invalid (ended: death, revocation),
//! suspended (業務停止) — compressed (zlib) and signed as a `statuslist+jwt`, so a verifier
//! learns a credential's status without telling the issuer which one it holds.

use serde_json::{Map, Value, json};

use crate::{IssuerKey, Jwk, b64, sdjwt::SdJwtError};

/// Bits per entry.
const BITS: u8 = 2;
/// The largest list a token may carry once inflated.
const MAX_BYTES: usize = 16 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid = 0,
    Invalid = 1,
    Suspended = 2,
}

impl Status {
    fn of(bits: u8) -> Self {
        match bits {
            0 => Status::Valid,
            2 => Status::Suspended,
            // 1, and 3 (application-specific, unused here), are not valid.
            _ => Status::Invalid,
        }
    }

    pub fn ja(self) -> &'static str {
        match self {
            Status::Valid => "有効",
            Status::Invalid => "失効（登録の抹消・取消）",
            Status::Suspended => "停止中",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("the status list token: {0}")]
    Token(String),
    #[error("the status list token does not verify with the issuer's key")]
    Signature,
    #[error("the status list is for {found:?}, not {expected:?}")]
    Subject { expected: String, found: String },
    #[error("index {0} is beyond the status list")]
    OutOfRange(u64),
    #[error(transparent)]
    Sign(#[from] SdJwtError),
}

/// The list itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all valid.
    pub fn new(len: u64) -> Self {
        Self { bytes: vec![0; (len * u64::from(BITS)).div_ceil(8) as usize] }
    }

    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 / u64::from(BITS)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Sets entry `idx` (the list grows to hold it).
    pub fn set(&mut self, idx: u64, s: Status) {
        let bit = idx * u64::from(BITS);
        let byte = (bit / 8) as usize;
        if byte >= self.bytes.len() {
            self.bytes.resize(byte + 1, 0);
        }
        let shift = (bit % 8) as u8;
        self.bytes[byte] = (self.bytes[byte] & !(0b11 << shift)) | ((s as u8) << shift);
    }

    pub fn get(&self, idx: u64) -> Option<Status> {
        let bit = idx * u64::from(BITS);
        let byte = *self.bytes.get((bit / 8) as usize)?;
        Some(Status::of((byte >> (bit % 8)) & 0b11))
    }

    /// As the token carries it: `{"bits": 2, "lst": base64url(zlib(bytes))}`.
    pub fn encode(&self) -> Value {
        json!({"bits": BITS, "lst": b64::enc(&miniz_oxide::deflate::compress_to_vec_zlib(&self.bytes, 9))})
    }

    fn decode(v: &Value) -> Result<Self, StatusListError> {
        if v.get("bits").and_then(Value::as_u64) != Some(u64::from(BITS)) {
            return Err(StatusListError::Token(format!("only {BITS}-bit lists are read here")));
        }
        let packed = v
            .get("lst")
            .and_then(Value::as_str)
            .and_then(b64::dec)
            .ok_or_else(|| StatusListError::Token("lst is not base64url".into()))?;
        let bytes = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_BYTES)
            .map_err(|_| StatusListError::Token("lst does not inflate".into()))?;
        Ok(Self { bytes })
    }

    /// The signed token for the list published at `uri`.
    pub fn token(&self, key: &IssuerKey, uri: &str, iat: i64, ttl: i64) -> Result<String, StatusListError> {
        let mut header = Map::new();
        header.insert("typ".into(), "statuslist+jwt".into());
        let payload = json!({"sub": uri, "iat": iat, "ttl": ttl, "status_list": self.encode()});
        Ok(key.sign(header, &payload)?)
    }

    /// Reads a token fetched from `uri`, checked with the issuer's key.
    pub fn open(token: &str, key: &Jwk, uri: &str) -> Result<Self, StatusListError> {
        let jws = crate::sdjwt::parse_jws(token).map_err(|e| StatusListError::Token(e.to_string()))?;
        if jws.header.get("typ").and_then(Value::as_str) != Some("statuslist+jwt") {
            return Err(StatusListError::Token("typ is not statuslist+jwt".into()));
        }
        let alg = jws.header.get("alg").and_then(Value::as_str).unwrap_or_default();
        key.verify(alg, jws.input.as_bytes(), &jws.sig).map_err(|_| StatusListError::Signature)?;
        let sub = jws.payload.get("sub").and_then(Value::as_str).unwrap_or_default();
        if sub != uri {
            return Err(StatusListError::Subject { expected: uri.to_string(), found: sub.to_string() });
        }
        Self::decode(jws.payload.get("status_list").unwrap_or(&Value::Null))
    }

    /// Entry `idx`, or why it cannot be read.
    pub fn status(&self, idx: u64) -> Result<Status, StatusListError> {
        self.get(idx).ok_or(StatusListError::OutOfRange(idx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_their_status_through_the_signed_token() {
        let key = IssuerKey::from_pkcs8("q1", &IssuerKey::generate().unwrap()).unwrap();
        let mut list = StatusList::new(10_000);
        list.set(3, Status::Invalid);
        list.set(4, Status::Suspended);
        list.set(9_999, Status::Invalid);
        list.set(4, Status::Valid);
        list.set(4, Status::Suspended);
        let uri = "https://qualifications.example/status/1";
        let token = list.token(&key, uri, 1_796_600_000, 3600).unwrap();
        let back = StatusList::open(&token, &key.jwk().unwrap(), uri).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.status(0), Ok(Status::Valid));
        assert_eq!(back.status(3), Ok(Status::Invalid));
        assert_eq!(back.status(4), Ok(Status::Suspended));
        assert_eq!(back.status(9_999), Ok(Status::Invalid));
        assert_eq!(back.status(10_000), Err(StatusListError::OutOfRange(10_000)));
        // The draft's own example: bits 1, entries 0,1,... in LSB order; ours with 2 bits:
        // index 1 is the byte's bits 2–3.
        let mut small = StatusList::new(4);
        small.set(1, Status::Invalid);
        assert_eq!(small.bytes, vec![0b0000_0100]);
        assert!(matches!(
            StatusList::open(&token, &key.jwk().unwrap(), "https://other"),
            Err(StatusListError::Subject { .. })
        ));
        let other = IssuerKey::from_pkcs8("q2", &IssuerKey::generate().unwrap()).unwrap();
        assert_eq!(StatusList::open(&token, &other.jwk().unwrap(), uri), Err(StatusListError::Signature));
    }
}
