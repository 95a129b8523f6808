//! Public keys as JWKs (RFC 7517): the issuer's and the holder's. A holder binds a credential
//! to an EC P-256 key (a wallet's) or to an RSA key (the My Number Card's own, signing with
//! the card); each checks the signature of its algorithm only.

use aws_lc_rs::signature::{self, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::b64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kty")]
pub enum Jwk {
    #[serde(rename = "EC")]
    Ec { crv: String, x: String, y: String },
    #[serde(rename = "RSA")]
    Rsa { n: String, e: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwkError {
    #[error("the key is not a P-256 or RSA public key: {0}")]
    Unsupported(String),
    #[error("the signature does not verify with the key")]
    BadSignature,
    #[error("the key signs with {key}, not {alg}")]
    WrongAlgorithm { key: &'static str, alg: String },
}

impl Jwk {
    /// An EC P-256 public key from its uncompressed SEC1 point (0x04 ‖ x ‖ y).
    pub fn p256(point: &[u8]) -> Result<Self, JwkError> {
        match point {
            [4, rest @ ..] if rest.len() == 64 => {
                Ok(Jwk::Ec { crv: "P-256".into(), x: b64::enc(&rest[..32]), y: b64::enc(&rest[32..]) })
            }
            _ => Err(JwkError::Unsupported("not an uncompressed P-256 point".into())),
        }
    }

    /// An RSA public key from its modulus and exponent (big-endian).
    pub fn rsa(n: &[u8], e: &[u8]) -> Self {
        Jwk::Rsa { n: b64::enc(n), e: b64::enc(e) }
    }

    /// The JWS algorithm this key verifies.
    pub fn alg(&self) -> &'static str {
        match self {
            Jwk::Ec { .. } => "ES256",
            Jwk::Rsa { .. } => "RS256",
        }
    }

    /// Checks a JWS signature (`alg` from its header) over `input` (header.payload).
    pub fn verify(&self, alg: &str, input: &[u8], sig: &[u8]) -> Result<(), JwkError> {
        if alg != self.alg() {
            return Err(JwkError::WrongAlgorithm { key: self.alg(), alg: alg.to_string() });
        }
        match self {
            Jwk::Ec { crv, x, y } => {
                let (Some(x), Some(y)) = (b64::dec(x), b64::dec(y)) else {
                    return Err(JwkError::Unsupported("x or y is not base64url".into()));
                };
                if crv != "P-256" || x.len() != 32 || y.len() != 32 {
                    return Err(JwkError::Unsupported(format!("curve {crv}")));
                }
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &point)
                    .verify(input, sig)
                    .map_err(|_| JwkError::BadSignature)
            }
            Jwk::Rsa { n, e } => {
                let (Some(n), Some(e)) = (b64::dec(n), b64::dec(e)) else {
                    return Err(JwkError::Unsupported("n or e is not base64url".into()));
                };
                signature::RsaPublicKeyComponents { n: &n, e: &e }
                    .verify(&signature::RSA_PKCS1_2048_8192_SHA256, input, sig)
                    .map_err(|_| JwkError::BadSignature)
            }
        }
    }
}
