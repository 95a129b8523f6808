//! The JPKI certificate authority J-LIS runs: one root, and an issuing CA for each certificate
//! kind. Key material is handed to the caller as PEM to keep (the domain does no I/O).

use std::str::FromStr;

use der::asn1::BitString;
use der::{DecodePem, Encode};
use serde::{Deserialize, Serialize};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

use crate::csr::CheckedCsr;
use crate::key::{self, RsaKey};
use crate::{CertKind, Holder, PkiError, Serial, ext, time};

/// How long the authorities themselves are valid: longer than any card they sign (10 years)
/// plus its certificates.
const ROOT_YEARS: i64 = 30;
const ISSUING_YEARS: i64 = 20;
const YEAR: i64 = 365 * 24 * 3600 + 6 * 3600;

pub const ROOT_NAME: &str = "CN=JPKI Root CA (myna),O=JPKI,C=JP";

/// One signing key with its certificate.
pub struct Ca {
    key: RsaKey,
    pub(crate) cert: Certificate,
    pub(crate) der: Vec<u8>,
    pub(crate) key_id: Vec<u8>,
}

impl Ca {
    fn new(key: RsaKey, cert: Certificate) -> Result<Self, PkiError> {
        let der = cert.to_der()?;
        let key_id = ext::key_id(&cert.tbs_certificate.subject_public_key_info);
        Ok(Self { key, cert, der, key_id })
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.der
    }

    pub fn name(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    /// Signs DER-encoded `tbs` bytes with this CA's key.
    pub(crate) fn sign(&self, tbs: &[u8]) -> Result<BitString, PkiError> {
        Ok(BitString::from_bytes(&self.key.sign(tbs)?)?)
    }

    fn sign_certificate(&self, tbs: TbsCertificate) -> Result<Certificate, PkiError> {
        let signature = self.sign(&tbs.to_der()?)?;
        Ok(Certificate { tbs_certificate: tbs, signature_algorithm: key::sha256_with_rsa(), signature })
    }
}

/// The root and the two issuing CAs.
pub struct Authority {
    root: Ca,
    signing: Ca,
    user_auth: Ca,
}

/// The authority's keys and certificates as text, for the node to keep on disk.
#[derive(Serialize, Deserialize)]
pub struct AuthorityFiles {
    pub root_key: String,
    pub root_cert: String,
    pub signing_key: String,
    pub signing_cert: String,
    pub user_auth_key: String,
    pub user_auth_cert: String,
}

/// What a holder's certificate is issued with.
pub struct IssueRequest<'a> {
    pub kind: CertKind,
    pub serial: Serial,
    /// Opaque, card-specific subject CN: nothing about the person.
    pub subject_id: &'a str,
    pub csr: &'a CheckedCsr,
    /// Required for the signing certificate, refused for the user-authentication one.
    pub holder: Option<&'a Holder>,
    pub not_before: i64,
    pub not_after: i64,
    pub crl_url: &'a str,
    pub ocsp_url: &'a str,
}

fn tbs(
    serial: Serial,
    issuer: Name,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    not_before: i64,
    not_after: i64,
    extensions: Vec<Extension>,
) -> Result<TbsCertificate, PkiError> {
    Ok(TbsCertificate {
        version: Version::V3,
        serial_number: serial.to_x509()?,
        signature: key::sha256_with_rsa(),
        issuer,
        validity: Validity { not_before: time::to_x509(not_before)?, not_after: time::to_x509(not_after)? },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    })
}

fn pem_key(key: &RsaKey) -> Result<String, PkiError> {
    Ok(crate::pem("PRIVATE KEY", &key.to_pkcs8()?))
}

fn read_key(pem: &str) -> Result<RsaKey, PkiError> {
    RsaKey::from_pkcs8(&crate::from_pem(pem, "PRIVATE KEY")?)
}

impl Authority {
    /// Generates the root and both issuing CAs, valid from `now`.
    pub fn create(now: i64) -> Result<Self, PkiError> {
        let root_key = RsaKey::generate()?;
        let root_name = Name::from_str(ROOT_NAME)?;
        let root_spki = root_key.public_spki()?;
        let root_id = ext::key_id(&root_spki);
        let mut exts = ext::ca_constraints(Some(1))?;
        exts.push(ext::subject_key_id(&root_id)?);
        let root_tbs = tbs(
            Serial::new(1).ok_or(PkiError::Crypto("serial"))?,
            root_name.clone(),
            root_name.clone(),
            root_spki,
            now,
            now + ROOT_YEARS * YEAR,
            exts,
        )?;
        let signature = BitString::from_bytes(&root_key.sign(&root_tbs.to_der()?)?)?;
        let root_cert =
            Certificate { tbs_certificate: root_tbs, signature_algorithm: key::sha256_with_rsa(), signature };
        let root = Ca::new(root_key, root_cert)?;
        let mut issuing = Vec::new();
        for (i, kind) in CertKind::ALL.into_iter().enumerate() {
            let key = RsaKey::generate()?;
            let spki = key.public_spki()?;
            let id = ext::key_id(&spki);
            let mut exts = ext::ca_constraints(Some(0))?;
            exts.push(ext::subject_key_id(&id)?);
            exts.push(ext::authority_key_id(&root.key_id)?);
            exts.push(ext::any_policy()?);
            let name = Name::from_str(&format!("OU={},O=JPKI,C=JP", kind.issuer_unit()))?;
            let t = tbs(
                Serial::new(2 + i as u64).ok_or(PkiError::Crypto("serial"))?,
                root_name.clone(),
                name,
                spki,
                now,
                now + ISSUING_YEARS * YEAR,
                exts,
            )?;
            let cert = root.sign_certificate(t)?;
            issuing.push(Ca::new(key, cert)?);
        }
        let user_auth = issuing.pop().ok_or(PkiError::Crypto("issuing CA"))?;
        let signing = issuing.pop().ok_or(PkiError::Crypto("issuing CA"))?;
        Ok(Self { root, signing, user_auth })
    }

    pub fn to_files(&self) -> Result<AuthorityFiles, PkiError> {
        let cert = |c: &Ca| Ok::<_, PkiError>(crate::pem("CERTIFICATE", &c.der));
        Ok(AuthorityFiles {
            root_key: pem_key(&self.root.key)?,
            root_cert: cert(&self.root)?,
            signing_key: pem_key(&self.signing.key)?,
            signing_cert: cert(&self.signing)?,
            user_auth_key: pem_key(&self.user_auth.key)?,
            user_auth_cert: cert(&self.user_auth)?,
        })
    }

    pub fn from_files(f: &AuthorityFiles) -> Result<Self, PkiError> {
        let ca = |key: &str, cert: &str| -> Result<Ca, PkiError> {
            let cert = Certificate::from_pem(cert).map_err(|e| PkiError::MalformedCertificate(e.to_string()))?;
            Ca::new(read_key(key)?, cert)
        };
        Ok(Self {
            root: ca(&f.root_key, &f.root_cert)?,
            signing: ca(&f.signing_key, &f.signing_cert)?,
            user_auth: ca(&f.user_auth_key, &f.user_auth_cert)?,
        })
    }

    pub fn root(&self) -> &Ca {
        &self.root
    }

    pub fn issuing(&self, kind: CertKind) -> &Ca {
        match kind {
            CertKind::Signing => &self.signing,
            CertKind::UserAuth => &self.user_auth,
        }
    }

    /// The trust a verifier of this authority's certificates needs.
    pub fn trust_store(&self) -> Result<crate::TrustStore, PkiError> {
        crate::TrustStore::new(
            self.root.certificate_der(),
            &[self.signing.certificate_der(), self.user_auth.certificate_der()],
        )
    }

    /// Issues a holder's certificate; returns its DER.
    pub fn issue(&self, req: &IssueRequest<'_>) -> Result<Vec<u8>, PkiError> {
        let ca = self.issuing(req.kind);
        let mut exts = vec![
            ext::holder_key_usage(req.kind)?,
            ext::policy(req.kind)?,
            ext::subject_key_id(&ext::key_id(&req.csr.public_key))?,
            ext::authority_key_id(&ca.key_id)?,
            ext::crl_distribution_point(req.crl_url)?,
            ext::ocsp_locator(req.ocsp_url)?,
        ];
        match (req.kind, req.holder) {
            (CertKind::Signing, Some(h)) => exts.push(ext::holder_alt_names(h)?),
            (CertKind::Signing, None) => {
                return Err(PkiError::Holder("a signing certificate must carry the holder's 4 items".into()));
            }
            (CertKind::UserAuth, Some(_)) => {
                return Err(PkiError::Holder(
                    "a user-authentication certificate carries nothing about the holder".into(),
                ));
            }
            (CertKind::UserAuth, None) => {}
        }
        if req.subject_id.is_empty() || !req.subject_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(PkiError::Holder("the subject id must be ASCII letters and digits".into()));
        }
        let subject = Name::from_str(&format!("CN={},C=JP", req.subject_id))?;
        let t = tbs(
            req.serial,
            ca.name().clone(),
            subject,
            req.csr.public_key.clone(),
            req.not_before,
            req.not_after,
            exts,
        )?;
        Ok(ca.sign_certificate(t)?.to_der()?)
    }
}
