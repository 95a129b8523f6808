//! Is this certificate one of ours, of the right kind, in date and not revoked? And does this
//! signature verify with it? What a verifier (署名検証者) or a login service asks.

use der::{Decode, Encode};
use x509_cert::certificate::Certificate;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;

use crate::key::PublicKey;
use crate::{CardCert, CertKind, PkiError, Status, time};

/// An issuing CA a verifier trusts, with what OCSP and CRL checks need about it.
#[derive(Debug)]
pub struct TrustedIssuer {
    pub kind: CertKind,
    pub name: Name,
    pub(crate) name_der: Vec<u8>,
    pub(crate) key: PublicKey,
    pub(crate) key_bits: Vec<u8>,
    pub cert_der: Vec<u8>,
    pub not_after: i64,
}

/// The JPKI root and its two issuing CAs, checked once when loaded.
#[derive(Debug)]
pub struct TrustStore {
    pub root_der: Vec<u8>,
    issuers: Vec<TrustedIssuer>,
}

fn parse(der: &[u8]) -> Result<Certificate, PkiError> {
    Certificate::from_der(der).map_err(|e| PkiError::MalformedCertificate(e.to_string()))
}

fn signed_by(cert: &Certificate, key: &PublicKey) -> Result<(), PkiError> {
    let tbs = cert.tbs_certificate.to_der()?;
    let sig = cert.signature.as_bytes().ok_or(PkiError::CertificateSignatureInvalid)?;
    key.verify(&tbs, sig).map_err(|_| PkiError::CertificateSignatureInvalid)
}

fn is_ca(cert: &Certificate) -> bool {
    matches!(cert.tbs_certificate.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
}

impl TrustStore {
    /// From the root's DER and the two issuing CAs' DER (any order).
    pub fn new(root_der: &[u8], issuing: &[&[u8]]) -> Result<Self, PkiError> {
        let root = parse(root_der)?;
        let root_key = PublicKey::from_spki(&root.tbs_certificate.subject_public_key_info)?;
        if root.tbs_certificate.issuer != root.tbs_certificate.subject || !is_ca(&root) {
            return Err(PkiError::MalformedCertificate("the root is not a self-issued CA certificate".into()));
        }
        signed_by(&root, &root_key)?;
        let mut issuers = Vec::new();
        for der in issuing {
            let cert = parse(der)?;
            if cert.tbs_certificate.issuer != root.tbs_certificate.subject || !is_ca(&cert) {
                return Err(PkiError::UnknownIssuer("an issuing CA not under this root".into()));
            }
            signed_by(&cert, &root_key)?;
            let name = cert.tbs_certificate.subject.clone();
            let unit = name.to_string();
            let kind = CertKind::ALL
                .into_iter()
                .find(|k| unit.contains(k.issuer_unit()))
                .ok_or_else(|| PkiError::UnknownIssuer(format!("{unit} is not a JPKI issuing CA")))?;
            let spki = &cert.tbs_certificate.subject_public_key_info;
            issuers.push(TrustedIssuer {
                kind,
                name_der: name.to_der()?,
                name,
                key: PublicKey::from_spki(spki)?,
                key_bits: spki.subject_public_key.raw_bytes().to_vec(),
                cert_der: der.to_vec(),
                not_after: time::from_x509(&cert.tbs_certificate.validity.not_after),
            });
        }
        Ok(Self { root_der: root_der.to_vec(), issuers })
    }

    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.issuers
    }

    pub fn issuer(&self, kind: CertKind) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| i.kind == kind)
    }

    pub(crate) fn issuer_named(&self, name: &Name) -> Result<&TrustedIssuer, PkiError> {
        self.issuers.iter().find(|i| &i.name == name).ok_or_else(|| PkiError::UnknownIssuer(name.to_string()))
    }

    /// The certificate was issued by our CA for its kind and the signature on it verifies.
    pub fn check_issued(&self, cert: &CardCert) -> Result<&TrustedIssuer, PkiError> {
        let issuer = self.issuer_named(&cert.cert.tbs_certificate.issuer)?;
        signed_by(&cert.cert, &issuer.key)?;
        if issuer.kind != cert.kind {
            return Err(PkiError::UnknownIssuer(format!("{} certificate from the {} CA", cert.kind, issuer.kind)));
        }
        Ok(issuer)
    }

    /// Everything a relying party must check before believing `cert`: issuer and its signature,
    /// the policy it needs, the validity period at `now`, and the revocation `status` it looked
    /// up (from a CRL or an OCSP response).
    pub fn check(&self, cert: &CardCert, want: CertKind, now: i64, status: Status) -> Result<(), PkiError> {
        self.check_issued(cert)?;
        self.check_current(cert, want, now, status)
    }

    /// [`Self::check`] for a certificate whose issuer signature was already verified by
    /// [`Self::check_issued`] (a service that keeps certificates it has seen): policy,
    /// validity and revocation, which change with time, are checked again.
    pub fn check_current(&self, cert: &CardCert, want: CertKind, now: i64, status: Status) -> Result<(), PkiError> {
        if cert.kind != want {
            return Err(PkiError::WrongPolicy { wanted: want, got: cert.kind });
        }
        if now < cert.not_before {
            return Err(PkiError::NotYetValid(time::show(cert.not_before)));
        }
        if now > cert.not_after {
            return Err(PkiError::Expired(time::show(cert.not_after)));
        }
        match status {
            Status::Good => Ok(()),
            Status::Revoked { at, reason } => Err(PkiError::Revoked { reason: reason.to_string(), at: time::show(at) }),
            Status::Unknown => Err(PkiError::StatusUnknown),
        }
    }
}

/// Checks a signature over `message` made with `cert`'s key.
pub fn verify_signature(cert: &CardCert, message: &[u8], signature: &[u8]) -> Result<(), PkiError> {
    cert.public_key()?.verify(message, signature)
}
