//! Certificate signing requests: the card token makes one per key (proving it holds the private
//! key without letting it out); the authority checks it before issuing.

use std::str::FromStr;

use der::asn1::BitString;
use der::{Decode, DecodePem, Encode};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::PkiError;
use crate::key::{self, PublicKey, RsaKey};

/// Makes a PKCS#10 request for `key`. The subject is a placeholder: the authority writes the
/// real subject and ignores what the request asks for.
pub fn build(key: &RsaKey) -> Result<Vec<u8>, PkiError> {
    let info = CertReqInfo {
        version: Version::V1,
        subject: Name::from_str("CN=myna card key")?,
        public_key: key.public_spki()?,
        attributes: Default::default(),
    };
    let signature = key.sign(&info.to_der()?)?;
    let req = CertReq { info, algorithm: key::sha256_with_rsa(), signature: BitString::from_bytes(&signature)? };
    Ok(req.to_der()?)
}

/// A request whose self-signature verified: its key is RSA-2048 and the requester holds it.
#[derive(Debug, Clone)]
pub struct CheckedCsr {
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// Reads a request (DER, or PEM if it starts with `-----BEGIN`) and checks it.
pub fn check(input: &[u8]) -> Result<CheckedCsr, PkiError> {
    let req = if input.starts_with(b"-----BEGIN") {
        let text = std::str::from_utf8(input).map_err(|_| PkiError::MalformedCsr("PEM is not UTF-8".into()))?;
        CertReq::from_pem(text)
    } else {
        CertReq::from_der(input)
    }
    .map_err(|e| PkiError::MalformedCsr(e.to_string()))?;
    if !key::is_sha256_with_rsa(&req.algorithm) {
        return Err(PkiError::MalformedCsr(format!(
            "signature algorithm {} is not sha256WithRSAEncryption",
            req.algorithm.oid
        )));
    }
    let public = PublicKey::from_spki(&req.info.public_key)?;
    let signed = req.info.to_der()?;
    let sig = req.signature.as_bytes().ok_or_else(|| PkiError::MalformedCsr("signature has unused bits".into()))?;
    public.verify(&signed, sig).map_err(|_| PkiError::CsrSignatureInvalid)?;
    Ok(CheckedCsr { public_key: req.info.public_key })
}
