//! Why a PKI operation was refused, in words a holder, clerk or verifier can act on.

use crate::CertKind;

/// Everything this crate refuses.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PkiError {
    #[error("not a certificate: {0}")]
    MalformedCertificate(String),
    #[error("not a certificate signing request: {0}")]
    MalformedCsr(String),
    #[error("the certificate signing request is not signed by the key it carries")]
    CsrSignatureInvalid,
    #[error("the key is not an RSA key of 2048 bits: {0}")]
    UnsupportedKey(String),
    #[error("not a revocation list: {0}")]
    MalformedCrl(String),
    #[error("not an OCSP message: {0}")]
    MalformedOcsp(String),
    #[error("the certificate was not issued by a JPKI authority this verifier trusts ({0})")]
    UnknownIssuer(String),
    #[error("the issuer's signature on the certificate does not verify")]
    CertificateSignatureInvalid,
    #[error("the certificate is not valid yet (from {0})")]
    NotYetValid(String),
    #[error("the certificate expired on {0}")]
    Expired(String),
    #[error("the certificate has been revoked ({reason}) on {at}")]
    Revoked { reason: String, at: String },
    #[error("the revocation status of the certificate is unknown to the responder")]
    StatusUnknown,
    #[error("this needs a {wanted} certificate, but a {got} certificate was presented")]
    WrongPolicy { wanted: CertKind, got: CertKind },
    #[error("the signature does not verify with the certificate's key")]
    SignatureInvalid,
    #[error("the signature is {0} bytes; an RSA-2048 signature is 256")]
    SignatureLength(usize),
    #[error("the holder details are not valid: {0}")]
    Holder(String),
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
    #[error("encoding failed: {0}")]
    Encoding(String),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Encoding(e.to_string())
    }
}
