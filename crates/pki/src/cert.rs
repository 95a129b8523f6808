//! Reading a holder's certificate: DER or PEM from outside, checked against the JPKI profile.

use der::{Decode, DecodePem, Encode};
use x509_cert::certificate::Certificate;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CertificatePolicies, SubjectAltName};

use crate::key::{self, PublicKey};
use crate::{CertKind, Holder, PkiError, Serial, ext, time};

/// A certificate that parsed and follows the holder profile. Whether it is *trusted* is
/// `TrustStore::check`'s question.
#[derive(Debug, Clone)]
pub struct CardCert {
    pub der: Vec<u8>,
    pub cert: Certificate,
    pub kind: CertKind,
    pub serial: Serial,
    pub not_before: i64,
    pub not_after: i64,
    /// The basic 4 items (signing certificates only).
    pub holder: Option<Holder>,
    pub issuer_key_id: Option<Vec<u8>>,
}

fn bad(e: impl ToString) -> PkiError {
    PkiError::MalformedCertificate(e.to_string())
}

impl CardCert {
    /// DER, or PEM if the input starts with `-----BEGIN`.
    pub fn parse(input: &[u8]) -> Result<Self, PkiError> {
        if input.starts_with(b"-----BEGIN") {
            let text = std::str::from_utf8(input).map_err(|_| bad("PEM is not UTF-8"))?;
            let cert = Certificate::from_pem(text).map_err(bad)?;
            let der = cert.to_der()?;
            Self::from_parts(der, cert)
        } else {
            let cert = Certificate::from_der(input).map_err(bad)?;
            Self::from_parts(input.to_vec(), cert)
        }
    }

    fn from_parts(der: Vec<u8>, cert: Certificate) -> Result<Self, PkiError> {
        let tbs = &cert.tbs_certificate;
        if !key::is_sha256_with_rsa(&cert.signature_algorithm) || cert.signature_algorithm != tbs.signature {
            return Err(bad(format!(
                "signature algorithm {} is not sha256WithRSAEncryption",
                cert.signature_algorithm.oid
            )));
        }
        let serial = Serial::from_x509(&tbs.serial_number)?;
        let policies = tbs.get::<CertificatePolicies>().map_err(bad)?.ok_or_else(|| bad("no certificate policy"))?.1;
        let kinds: Vec<CertKind> =
            policies.0.iter().filter_map(|p| CertKind::from_policy(&p.policy_identifier)).collect();
        let kind = match kinds.as_slice() {
            [k] => *k,
            [] => return Err(bad("no JPKI certificate policy (signing or user authentication)")),
            _ => return Err(bad("both JPKI policies at once")),
        };
        let holder = match tbs.get::<SubjectAltName>().map_err(bad)? {
            Some((_, san)) => ext::read_holder(&san)?,
            None => None,
        };
        match (kind, &holder) {
            (CertKind::Signing, None) => return Err(bad("signing certificate without the holder's 4 items")),
            (CertKind::UserAuth, Some(_)) => return Err(bad("user-authentication certificate carrying personal data")),
            _ => {}
        }
        let issuer_key_id = tbs
            .get::<AuthorityKeyIdentifier>()
            .map_err(bad)?
            .and_then(|(_, aki)| aki.key_identifier.map(|k| k.as_bytes().to_vec()));
        let not_before = time::from_x509(&tbs.validity.not_before);
        let not_after = time::from_x509(&tbs.validity.not_after);
        // The key must be one we can verify with; checked now so a bad key is a parse error.
        PublicKey::from_spki(&tbs.subject_public_key_info)?;
        Ok(Self { der, kind, serial, not_before, not_after, holder, issuer_key_id, cert })
    }

    /// The holder's public key.
    pub fn public_key(&self) -> Result<PublicKey, PkiError> {
        PublicKey::from_spki(&self.cert.tbs_certificate.subject_public_key_info)
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        crate::pem("CERTIFICATE", &self.der)
    }

    /// The subject CN: an opaque card-specific id.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }
}
