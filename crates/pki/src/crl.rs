//! Certificate revocation lists (RFC 5280 §5): built by the authority, read by verifiers.

use std::collections::HashMap;

use der::asn1::OctetString;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{CrlNumber, CrlReason};

use crate::{Authority, CertKind, PkiError, Reason, Serial, Status, TrustStore, key, time};

/// One revoked certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub serial: Serial,
    pub at: i64,
    pub reason: Reason,
}

impl Authority {
    /// The CRL of `kind`'s issuing CA. `number` must grow with each list published.
    pub fn crl(
        &self,
        kind: CertKind,
        revoked: &[Revocation],
        number: u64,
        this_update: i64,
        next_update: i64,
    ) -> Result<Vec<u8>, PkiError> {
        let ca = self.issuing(kind);
        let mut entries = Vec::with_capacity(revoked.len());
        for r in revoked {
            let reason = Extension {
                extn_id: CrlReason::OID,
                critical: false,
                extn_value: OctetString::new(r.reason.crl_reason().to_der()?)?,
            };
            entries.push(RevokedCert {
                serial_number: r.serial.to_x509()?,
                revocation_date: time::to_x509(r.at)?,
                crl_entry_extensions: Some(vec![reason]),
            });
        }
        let number = CrlNumber(der::asn1::Uint::new(&number.to_be_bytes())?);
        let exts = vec![
            crate::ext::authority_key_id(&ca.key_id)?,
            Extension { extn_id: CrlNumber::OID, critical: false, extn_value: OctetString::new(number.to_der()?)? },
        ];
        let tbs = TbsCertList {
            version: Version::V2,
            signature: key::sha256_with_rsa(),
            issuer: ca.name().clone(),
            this_update: time::to_x509(this_update)?,
            next_update: Some(time::to_x509(next_update)?),
            revoked_certificates: (!entries.is_empty()).then_some(entries),
            crl_extensions: Some(exts),
        };
        let signature = ca.sign(&tbs.to_der()?)?;
        Ok(CertificateList { tbs_cert_list: tbs, signature_algorithm: key::sha256_with_rsa(), signature }.to_der()?)
    }
}

/// A CRL whose signature verified, indexed by serial.
#[derive(Debug, Clone)]
pub struct RevocationList {
    pub kind: CertKind,
    pub this_update: i64,
    pub next_update: i64,
    revoked: HashMap<Serial, (i64, Reason)>,
}

impl RevocationList {
    /// Reads and verifies a CRL published by one of `trust`'s issuing CAs.
    pub fn parse(der: &[u8], trust: &TrustStore) -> Result<Self, PkiError> {
        let bad = |e: &dyn std::fmt::Display| PkiError::MalformedCrl(e.to_string());
        let list = CertificateList::from_der(der).map_err(|e| bad(&e))?;
        let tbs = &list.tbs_cert_list;
        if !key::is_sha256_with_rsa(&list.signature_algorithm) {
            return Err(bad(&"signature algorithm is not sha256WithRSAEncryption"));
        }
        let issuer = trust.issuer_named(&tbs.issuer)?;
        let sig = list.signature.as_bytes().ok_or_else(|| bad(&"signature has unused bits"))?;
        issuer.key.verify(&tbs.to_der()?, sig).map_err(|_| bad(&"the CA's signature on the list does not verify"))?;
        let next_update = tbs.next_update.as_ref().map(time::from_x509).ok_or_else(|| bad(&"no nextUpdate"))?;
        let mut revoked = HashMap::new();
        for entry in tbs.revoked_certificates.iter().flatten() {
            let serial = Serial::from_x509(&entry.serial_number).map_err(|e| bad(&e))?;
            let reason = entry
                .crl_entry_extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == CrlReason::OID)
                .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok())
                .map(Reason::from_crl_reason)
                .unwrap_or(Reason::HolderRequest);
            revoked.insert(serial, (time::from_x509(&entry.revocation_date), reason));
        }
        Ok(Self { kind: issuer.kind, this_update: time::from_x509(&tbs.this_update), next_update, revoked })
    }

    /// Status of `serial` by this list; `Unknown` once the list is past its nextUpdate.
    pub fn status(&self, serial: Serial, now: i64) -> Status {
        if now > self.next_update {
            return Status::Unknown;
        }
        match self.revoked.get(&serial) {
            Some((at, reason)) => Status::Revoked { at: *at, reason: *reason },
            None => Status::Good,
        }
    }

    pub fn len(&self) -> usize {
        self.revoked.len()
    }

    pub fn is_empty(&self) -> bool {
        self.revoked.is_empty()
    }
}
