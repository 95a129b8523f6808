//! Building the extensions of the JPKI profiles from x509-cert's types.

use der::Encode;
use der::asn1::{Any, Ia5String, ObjectIdentifier, OctetString, PrintableStringRef, Utf8StringRef};
use der::oid::AssociatedOid;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, OtherName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, KeyUsage, KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};

use crate::{CertKind, Holder, PkiError, oid};

/// Criticality is set here, per the profile, rather than by x509-cert's defaults (which mark
/// subjectAltName critical when the subject is empty).
fn ext<T: Encode + AssociatedOid>(value: &T, critical: bool) -> Result<Extension, PkiError> {
    Ok(Extension { extn_id: T::OID, critical, extn_value: OctetString::new(value.to_der()?)? })
}

/// RFC 5280 key identifier method 1: SHA-1 of the subjectPublicKey bits.
pub fn key_id(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, spki.subject_public_key.raw_bytes())
        .as_ref()
        .to_vec()
}

pub fn subject_key_id(id: &[u8]) -> Result<Extension, PkiError> {
    ext(&SubjectKeyIdentifier(OctetString::new(id)?), false)
}

pub fn authority_key_id(id: &[u8]) -> Result<Extension, PkiError> {
    ext(&AuthorityKeyIdentifier { key_identifier: Some(OctetString::new(id)?), ..Default::default() }, false)
}

pub fn ca_constraints(path_len: Option<u8>) -> Result<Vec<Extension>, PkiError> {
    Ok(vec![
        ext(&BasicConstraints { ca: true, path_len_constraint: path_len }, true)?,
        ext(&KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign), true)?,
    ])
}

/// Key usage of a holder's certificate: the signing certificate also asserts non-repudiation.
pub fn holder_key_usage(kind: CertKind) -> Result<Extension, PkiError> {
    let usage = match kind {
        CertKind::Signing => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        CertKind::UserAuth => KeyUsages::DigitalSignature.into(),
    };
    ext(&KeyUsage(usage), true)
}

pub fn policy(kind: CertKind) -> Result<Extension, PkiError> {
    ext(
        &CertificatePolicies(vec![PolicyInformation { policy_identifier: kind.policy(), policy_qualifiers: None }]),
        false,
    )
}

/// anyPolicy on the issuing CAs, so a path to a holder's certificate validates under its
/// policy with explicit-policy checking (openssl `verify -explicit_policy`).
pub fn any_policy() -> Result<Extension, PkiError> {
    ext(
        &CertificatePolicies(vec![PolicyInformation { policy_identifier: oid::ANY_POLICY, policy_qualifiers: None }]),
        false,
    )
}

fn uri(url: &str) -> Result<GeneralName, PkiError> {
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(url)?))
}

pub fn crl_distribution_point(url: &str) -> Result<Extension, PkiError> {
    ext(
        &CrlDistributionPoints(vec![DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![uri(url)?])),
            reasons: None,
            crl_issuer: None,
        }]),
        false,
    )
}

pub fn ocsp_locator(url: &str) -> Result<Extension, PkiError> {
    ext(
        &AuthorityInfoAccessSyntax(vec![AccessDescription { access_method: oid::AD_OCSP, access_location: uri(url)? }]),
        false,
    )
}

fn other_name(type_id: ObjectIdentifier, value: Any) -> GeneralName {
    GeneralName::OtherName(OtherName { type_id, value })
}

/// The basic 4 items as subjectAltName otherNames (signing certificate only).
pub fn holder_alt_names(h: &Holder) -> Result<Extension, PkiError> {
    let names = vec![
        other_name(oid::JPKI_NAME, Any::encode_from(&Utf8StringRef::new(&h.name)?)?),
        other_name(oid::JPKI_SEX, Any::encode_from(&PrintableStringRef::new(h.sex.code())?)?),
        other_name(oid::JPKI_BIRTH, Any::encode_from(&PrintableStringRef::new(&h.birth_code())?)?),
        other_name(oid::JPKI_ADDRESS, Any::encode_from(&Utf8StringRef::new(&h.address)?)?),
    ];
    ext(&SubjectAltName(names), false)
}

/// Reads the basic 4 items back from a subjectAltName; `None` when it carries none of them.
pub fn read_holder(san: &SubjectAltName) -> Result<Option<Holder>, PkiError> {
    let mut name = None;
    let mut sex = None;
    let mut birth = None;
    let mut address = None;
    for gn in &san.0 {
        let GeneralName::OtherName(on) = gn else { continue };
        let text = |a: &Any| -> Result<String, PkiError> {
            let s = if let Ok(s) = Utf8StringRef::try_from(a) {
                s.as_str().to_owned()
            } else {
                PrintableStringRef::try_from(a)
                    .map_err(|e| PkiError::MalformedCertificate(format!("otherName {}: {e}", on.type_id)))?
                    .as_str()
                    .to_owned()
            };
            Ok(s)
        };
        match on.type_id {
            t if t == oid::JPKI_NAME => name = Some(text(&on.value)?),
            t if t == oid::JPKI_SEX => sex = Some(text(&on.value)?),
            t if t == oid::JPKI_BIRTH => birth = Some(text(&on.value)?),
            t if t == oid::JPKI_ADDRESS => address = Some(text(&on.value)?),
            _ => {}
        }
    }
    if name.is_none() && sex.is_none() && birth.is_none() && address.is_none() {
        return Ok(None);
    }
    let bad = |what: &str| PkiError::MalformedCertificate(format!("subjectAltName: {what} missing or invalid"));
    let sex = sex.as_deref().and_then(crate::Sex::from_code).ok_or_else(|| bad("sex"))?;
    let birth = birth.as_deref().and_then(Holder::parse_birth).ok_or_else(|| bad("birth date"))?;
    let holder = Holder::new(&name.ok_or_else(|| bad("name"))?, birth, sex, &address.ok_or_else(|| bad("address"))?)
        .map_err(|e| PkiError::MalformedCertificate(e.to_string()))?;
    Ok(Some(holder))
}
