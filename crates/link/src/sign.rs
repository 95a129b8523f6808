//! Every linkage message is signed by the node that sends it: a compact JWS (RFC 7515, ES256)
//! whose `x5c` header carries the sender's certificate from the network CA (the X-Road way),
//! so any node can check a message with the CA alone, and the sender's id is the certificate's
//! common name, not a claim in the body.
//!
//! Written here rather than with a JWT crate: a linkage message is not a JWT (no claims to
//! validate), the key is the node's TLS key (a PKCS#8 P-256 key from rcgen), and compact JWS
//! is three base64url parts; the cryptography is aws-lc-rs's.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{self, EcdsaKeyPair, KeyPair, ParsedPublicKey, UnparsedPublicKey},
};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use der::{Decode, DecodePem, Encode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use x509_cert::Certificate;

use crate::AgencyId;

const ECDSA_WITH_SHA256: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const CN: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the node key or certificate cannot be read: {0}")]
    Key(String),
    #[error("not a signed message: {0}")]
    Malformed(String),
    #[error("unsigned or not ES256 (alg {0:?}): every message must be signed by its node")]
    Algorithm(String),
    #[error("the sender's certificate is not from this network's CA: {0}")]
    Untrusted(String),
    #[error("the signature does not match the message (tampered, or signed by another key)")]
    BadSignature,
    #[error("the body does not match the message type: {0}")]
    Body(String),
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
    #[serde(default)]
    x5c: Vec<String>,
}

/// A node's signing key with its certificate.
pub struct NodeKey {
    key: EcdsaKeyPair,
    /// The protected header, already encoded: it never changes.
    header_b64: String,
    id: AgencyId,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeKey({})", self.id)
    }
}

/// The network id a DER certificate names (its subject's common name), for a TLS peer whose
/// chain the TLS stack has already verified.
pub fn certificate_id(der: &[u8]) -> Result<AgencyId, SignError> {
    common_name(&Certificate::from_der(der).map_err(|e| SignError::Untrusted(format!("certificate: {e}")))?)
}

fn common_name(cert: &Certificate) -> Result<AgencyId, SignError> {
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == CN {
                let s = der::asn1::Utf8StringRef::try_from(&atv.value)
                    .map(|s| s.as_str().to_string())
                    .or_else(|_| der::asn1::PrintableStringRef::try_from(&atv.value).map(|s| s.as_str().to_string()))
                    .map_err(|e| SignError::Untrusted(format!("common name: {e}")))?;
                return s.parse().map_err(|e: crate::CodeError| SignError::Untrusted(e.to_string()));
            }
        }
    }
    Err(SignError::Untrusted("the certificate has no common name".into()))
}

impl NodeKey {
    /// The key and certificate of a node, in PEM (as `node::NodeIdentity` keeps them).
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, SignError> {
        let cert = Certificate::from_pem(cert_pem).map_err(|e| SignError::Key(format!("certificate: {e}")))?;
        let (_, doc) = der::SecretDocument::from_pem(key_pem).map_err(|e| SignError::Key(format!("key: {e}")))?;
        let key = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_bytes())
            .map_err(|e| SignError::Key(format!("key is not a P-256 PKCS#8 key: {e}")))?;
        let spki = cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
        if key.public_key().as_ref() != spki {
            return Err(SignError::Key("the key does not belong to the certificate".into()));
        }
        let der = cert.to_der().map_err(|e| SignError::Key(e.to_string()))?;
        let header =
            Header { alg: "ES256".into(), typ: Some("myna-link+jws".into()), x5c: vec![Base64::encode_string(&der)] };
        let header = serde_json::to_vec(&header).map_err(|e| SignError::Key(e.to_string()))?;
        Ok(Self { key, header_b64: Base64UrlUnpadded::encode_string(&header), id: common_name(&cert)? })
    }

    /// The node's id: its certificate's common name.
    pub fn id(&self) -> &AgencyId {
        &self.id
    }

    /// `body` as JSON, signed: `header.payload.signature`.
    pub fn sign<T: Serialize>(&self, body: &T) -> Result<String, SignError> {
        let payload = serde_json::to_vec(body).map_err(|e| SignError::Body(e.to_string()))?;
        let mut out = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 100);
        out.push_str(&self.header_b64);
        out.push('.');
        out.push_str(&Base64UrlUnpadded::encode_string(&payload));
        let sig =
            self.key.sign(&SystemRandom::new(), out.as_bytes()).map_err(|_| SignError::Key("signing failed".into()))?;
        out.push('.');
        out.push_str(&Base64UrlUnpadded::encode_string(sig.as_ref()));
        Ok(out)
    }
}

/// A checked message: who signed it (from the certificate) and what it says.
#[derive(Debug, Clone)]
pub struct Signed<T> {
    pub signer: AgencyId,
    pub body: T,
}

struct Peer {
    id: AgencyId,
    key: ParsedPublicKey,
    not_before: i64,
    not_after: i64,
}

/// The network CA, and the senders already checked against it, by the exact protected
/// header their messages carry (a node sees the same few senders all day and each sender's
/// header never changes: its certificate's chain is checked, and the header and certificate
/// decoded, once; its validity is checked on every message).
pub struct NetworkTrust {
    ca_subject: Vec<u8>,
    ca_point: Vec<u8>,
    seen: Mutex<HashMap<String, Arc<Peer>>>,
}

impl std::fmt::Debug for NetworkTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NetworkTrust")
    }
}

fn unix(t: &x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

impl NetworkTrust {
    pub fn from_ca_pem(pem: &str) -> Result<Self, SignError> {
        let ca = Certificate::from_pem(pem).map_err(|e| SignError::Key(format!("network CA: {e}")))?;
        Ok(Self {
            ca_subject: ca.tbs_certificate.subject.to_der().map_err(|e| SignError::Key(e.to_string()))?,
            ca_point: ca.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes().to_vec(),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// The sender named by the protected header `h` (base64url), checked at `now`.
    fn sender(&self, h: &str, now: i64) -> Result<Arc<Peer>, SignError> {
        let cached = self.seen.lock().ok().and_then(|m| m.get(h).cloned());
        let peer = match cached {
            Some(p) => p,
            None => {
                let p = Arc::new(self.check_header(h)?);
                if let Ok(mut m) = self.seen.lock() {
                    if m.len() > 10_000 {
                        m.clear();
                    }
                    m.insert(h.to_owned(), p.clone());
                }
                p
            }
        };
        if now < peer.not_before || now > peer.not_after {
            return Err(SignError::Untrusted(format!("{}'s certificate is not valid now", peer.id)));
        }
        Ok(peer)
    }

    fn check_header(&self, h: &str) -> Result<Peer, SignError> {
        let header =
            Base64UrlUnpadded::decode_vec(h).map_err(|_| SignError::Malformed("the header is not base64url".into()))?;
        let header: Header =
            serde_json::from_slice(&header).map_err(|e| SignError::Malformed(format!("header: {e}")))?;
        if header.alg != "ES256" {
            return Err(SignError::Algorithm(header.alg));
        }
        let [cert] = &header.x5c[..] else {
            return Err(SignError::Malformed("the header must carry the sender's certificate (x5c)".into()));
        };
        let cert = Base64::decode_vec(cert).map_err(|_| SignError::Malformed("x5c is not base64".into()))?;
        self.check_certificate(&cert)
    }

    fn check_certificate(&self, cert_der: &[u8]) -> Result<Peer, SignError> {
        let cert = Certificate::from_der(cert_der).map_err(|e| SignError::Untrusted(format!("certificate: {e}")))?;
        let tbs = &cert.tbs_certificate;
        if tbs.issuer.to_der().map_err(|e| SignError::Untrusted(e.to_string()))? != self.ca_subject {
            return Err(SignError::Untrusted("issued by another CA".into()));
        }
        if cert.signature_algorithm.oid != ECDSA_WITH_SHA256 {
            return Err(SignError::Untrusted("not signed with ecdsa-with-SHA256".into()));
        }
        let tbs_der = tbs.to_der().map_err(|e| SignError::Untrusted(e.to_string()))?;
        let sig = cert.signature.as_bytes().ok_or_else(|| SignError::Untrusted("signature bits".into()))?;
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &self.ca_point)
            .verify(&tbs_der, sig)
            .map_err(|_| SignError::Untrusted("the CA's signature on it does not verify".into()))?;
        let point = tbs.subject_public_key_info.subject_public_key.raw_bytes();
        Ok(Peer {
            id: common_name(&cert)?,
            key: ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .map_err(|e| SignError::Untrusted(format!("its public key: {e}")))?,
            not_before: unix(&tbs.validity.not_before),
            not_after: unix(&tbs.validity.not_after),
        })
    }

    /// Checks a compact JWS signed by a node of this network at time `now` (unix seconds) and
    /// reads its body.
    pub fn open<T: DeserializeOwned>(&self, compact: &str, now: i64) -> Result<Signed<T>, SignError> {
        let mut parts = compact.trim().split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(SignError::Malformed("a compact JWS has three parts separated by '.'".into()));
        };
        let b64 = |what: &str, v: &str| {
            Base64UrlUnpadded::decode_vec(v).map_err(|_| SignError::Malformed(format!("the {what} is not base64url")))
        };
        let peer = self.sender(h, now)?;
        let sig = b64("signature", s)?;
        let signed = &compact.trim().as_bytes()[..h.len() + 1 + p.len()];
        peer.key.verify_sig(signed, &sig).map_err(|_| SignError::BadSignature)?;
        let body = serde_json::from_slice(&b64("payload", p)?).map_err(|e| SignError::Body(e.to_string()))?;
        Ok(Signed { signer: peer.id.clone(), body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

    fn network() -> (String, Issuer<'static, KeyPair>) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "test network CA");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = p.self_signed(&key).unwrap();
        (cert.pem(), Issuer::new(p, key))
    }

    fn node(ca: &Issuer<'static, KeyPair>, name: &str) -> NodeKey {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(vec!["localhost".into()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        let cert = p.signed_by(&key, ca).unwrap();
        NodeKey::from_pem(&cert.pem(), &key.serialize_pem()).unwrap()
    }

    #[test]
    fn a_message_names_its_signer_and_any_change_is_caught() {
        let (ca_pem, ca) = network();
        let trust = NetworkTrust::from_ca_pem(&ca_pem).unwrap();
        let city = node(&ca, "municipality:131016");
        let jws = city.sign(&serde_json::json!({"hello": "hub"})).unwrap();
        let got: Signed<serde_json::Value> = trust.open(&jws, 1_900_000_000).unwrap();
        assert_eq!(got.signer.as_str(), "municipality:131016");
        assert_eq!(got.body["hello"], "hub");

        // The payload swapped for another, same header and signature.
        let parts: Vec<&str> = jws.split('.').collect();
        let other = Base64UrlUnpadded::encode_string(br#"{"hello":"evil"}"#);
        let tampered = format!("{}.{}.{}", parts[0], other, parts[2]);
        assert_eq!(trust.open::<serde_json::Value>(&tampered, 1_900_000_000).unwrap_err(), SignError::BadSignature);
        // Unsigned (alg none), and no signature part at all.
        let none = Base64UrlUnpadded::encode_string(br#"{"alg":"none"}"#);
        let unsigned = format!("{none}.{}.", parts[1]);
        assert!(matches!(trust.open::<serde_json::Value>(&unsigned, 1_900_000_000), Err(SignError::Algorithm(_))));
        assert!(matches!(trust.open::<serde_json::Value>(&parts[..2].join("."), 0), Err(SignError::Malformed(_))));
        // A node of another network.
        let (_, other_ca) = network();
        let stranger = node(&other_ca, "municipality:131016");
        let e = trust.open::<serde_json::Value>(&stranger.sign(&1).unwrap(), 1_900_000_000).unwrap_err();
        // Same CA name, another key: caught by the CA's signature.
        assert_eq!(e, SignError::Untrusted("the CA's signature on it does not verify".into()));
    }
}
