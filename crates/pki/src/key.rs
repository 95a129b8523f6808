//! RSA-2048 key pairs and signature checks, on aws-lc-rs (the same library rustls uses here, so
//! verification runs at OpenSSL speed; BENCHMARKS.md compares it with `openssl speed`).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use der::Decode;
use x509_cert::spki::{self, SubjectPublicKeyInfoOwned};

use crate::{PkiError, oid};

/// Bytes in an RSA-2048 signature.
pub const SIGNATURE_LEN: usize = 256;

/// A private RSA-2048 key. Holders' keys live only inside a card token; authorities' keys only
/// inside the authority.
pub struct RsaKey {
    pair: KeyPair,
}

impl std::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RsaKey(..)")
    }
}

impl RsaKey {
    /// A fresh key pair.
    pub fn generate() -> Result<Self, PkiError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| PkiError::Crypto("RSA key generation"))?;
        Ok(Self { pair })
    }

    /// Reads a PKCS#8 private key; refuses anything but RSA-2048.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, PkiError> {
        let pair = KeyPair::from_pkcs8(der).map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
        if pair.public_modulus_len() != SIGNATURE_LEN {
            return Err(PkiError::UnsupportedKey(format!("{} bits", pair.public_modulus_len() * 8)));
        }
        Ok(Self { pair })
    }

    /// The private key as PKCS#8 DER (to be sealed by whoever keeps it).
    pub fn to_pkcs8(&self) -> Result<Vec<u8>, PkiError> {
        let der: Pkcs8V1Der<'static> = self.pair.as_der().map_err(|_| PkiError::Crypto("PKCS#8 encoding"))?;
        Ok(der.as_ref().to_vec())
    }

    /// The public key as a SubjectPublicKeyInfo.
    pub fn public_spki(&self) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
        use aws_lc_rs::signature::KeyPair as _;
        let der: PublicKeyX509Der<'static> =
            self.pair.public_key().as_der().map_err(|_| PkiError::Crypto("public key encoding"))?;
        Ok(SubjectPublicKeyInfoOwned::from_der(der.as_ref())?)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), message, &mut sig)
            .map_err(|_| PkiError::Crypto("RSA signing"))?;
        Ok(sig)
    }

    /// RSASSA-PKCS1-v1_5 over a SHA-256 digest the host computed, as the card's chip does
    /// (the host builds the DigestInfo; the chip never sees the document).
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, PkiError> {
        let digest = aws_lc_rs::digest::Digest::import_less_safe(digest, &aws_lc_rs::digest::SHA256)
            .map_err(|_| PkiError::Crypto("digest import"))?;
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair.sign_digest(&RSA_PKCS1_SHA256, &digest, &mut sig).map_err(|_| PkiError::Crypto("RSA signing"))?;
        Ok(sig)
    }
}

/// A public key ready to check many signatures (parsed once).
#[derive(Debug)]
pub struct PublicKey {
    parsed: ParsedPublicKey,
}

impl PublicKey {
    /// From a SubjectPublicKeyInfo; only RSA keys of 2048 bits are accepted.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, PkiError> {
        if spki.algorithm.oid != oid::RSA_ENCRYPTION {
            return Err(PkiError::UnsupportedKey(format!("algorithm {}", spki.algorithm.oid)));
        }
        let bits = spki.subject_public_key.raw_bytes();
        let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, bits)
            .map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
        Ok(Self { parsed })
    }

    /// The modulus and public exponent (big-endian) of an RSA SubjectPublicKeyInfo, as a JWK
    /// names the key.
    pub fn rsa_components(spki: &SubjectPublicKeyInfoOwned) -> Result<(Vec<u8>, Vec<u8>), PkiError> {
        #[derive(der::Sequence)]
        struct RsaPublicKey<'a> {
            modulus: der::asn1::UintRef<'a>,
            exponent: der::asn1::UintRef<'a>,
        }
        if spki.algorithm.oid != oid::RSA_ENCRYPTION {
            return Err(PkiError::UnsupportedKey(format!("algorithm {}", spki.algorithm.oid)));
        }
        let k: RsaPublicKey<'_> = der::Decode::from_der(spki.subject_public_key.raw_bytes())
            .map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
        Ok((k.modulus.as_bytes().to_vec(), k.exponent.as_bytes().to_vec()))
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), PkiError> {
        if sig.len() != SIGNATURE_LEN {
            return Err(PkiError::SignatureLength(sig.len()));
        }
        self.parsed.verify_sig(message, sig).map_err(|_| PkiError::SignatureInvalid)
    }
}

/// The sha256WithRSAEncryption algorithm identifier (parameters NULL, as RFC 4055 requires).
pub fn sha256_with_rsa() -> spki::AlgorithmIdentifierOwned {
    spki::AlgorithmIdentifierOwned { oid: oid::SHA256_WITH_RSA, parameters: Some(der::asn1::Null.into()) }
}

/// Is `alg` exactly sha256WithRSAEncryption, parameters NULL or absent (RFC 4055)? Anything
/// else is refused, whatever it claims: in a CSR this identifier is outside the signature, so
/// a loose check would accept altered bytes.
pub fn is_sha256_with_rsa(alg: &spki::AlgorithmIdentifierOwned) -> bool {
    let null = der::asn1::Any::from(der::asn1::Null);
    alg.oid == oid::SHA256_WITH_RSA && alg.parameters.as_ref().is_none_or(|p| *p == null)
}
