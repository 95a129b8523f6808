//! OCSP (RFC 6960): the authority answers registered verifiers (署名検証者) about single
//! certificates; a verifier builds requests and checks the signed answers.
//!
//! The responder is each issuing CA itself (no delegated responder certificate), so a response
//! verifies with the key the verifier already trusts.

use aws_lc_rs::digest::{self, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
use der::asn1::{Null, OctetString};
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use x509_cert::ext::Extension;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::ext::Nonce;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    ResponderId, ResponseData, RevokedInfo, SingleResponse, TbsRequest, Version,
};

use crate::{Authority, CertKind, PkiError, Serial, Status, TrustStore, key, oid};

/// How long a "good" answer may be cached by the verifier.
pub const VALID_SECS: i64 = 3600;

fn bad(e: impl std::fmt::Display) -> PkiError {
    PkiError::MalformedOcsp(e.to_string())
}

fn hash(alg: &der::asn1::ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    let alg = match *alg {
        a if a == oid::SHA1 => &SHA1_FOR_LEGACY_USE_ONLY,
        a if a == oid::SHA256 => &SHA256,
        _ => return None,
    };
    Some(digest::digest(alg, data).as_ref().to_vec())
}

/// One certificate asked about.
#[derive(Debug, Clone)]
pub struct OcspQuery {
    pub cert_id: CertId,
    /// Which of our certificates, if the issuer hashes name one of our CAs.
    pub target: Option<(CertKind, Serial)>,
}

/// A request the responder understood.
#[derive(Debug, Clone)]
pub struct ParsedRequest {
    pub queries: Vec<OcspQuery>,
    nonce: Option<Nonce>,
}

/// The answer to send when a request cannot be read (RFC 6960 `malformedRequest`).
pub fn malformed_response() -> Vec<u8> {
    OcspResponse::malformed_request().to_der().unwrap_or_default()
}

fn gt(unix: i64) -> Result<OcspGeneralizedTime, PkiError> {
    let d =
        std::time::Duration::from_secs(u64::try_from(unix).map_err(|_| PkiError::Encoding("time before 1970".into()))?);
    Ok(der::DateTime::from_unix_duration(d)?.into())
}

fn to_status(s: &Status, now: i64) -> Result<CertStatus, PkiError> {
    Ok(match s {
        Status::Good => CertStatus::good(),
        Status::Unknown => CertStatus::unknown(),
        Status::Revoked { at, reason } => CertStatus::revoked(RevokedInfo {
            revocation_time: gt(*at.min(&now))?,
            revocation_reason: Some(reason.crl_reason()),
        }),
    })
}

impl Authority {
    /// Reads an OCSP request and works out which of our certificates it asks about.
    pub fn ocsp_parse(&self, der: &[u8]) -> Result<ParsedRequest, PkiError> {
        let req = OcspRequest::from_der(der).map_err(bad)?;
        if req.tbs_request.request_list.is_empty() {
            return Err(bad("the request asks about no certificate"));
        }
        if req.tbs_request.request_list.len() > 100 {
            return Err(bad("more than 100 certificates in one request"));
        }
        let mut queries = Vec::new();
        for r in &req.tbs_request.request_list {
            let id = &r.req_cert;
            let target = CertKind::ALL.into_iter().find_map(|kind| {
                let ca = &self.issuing(kind).cert.tbs_certificate;
                let name = hash(&id.hash_algorithm.oid, &ca.subject.to_der().ok()?)?;
                let key = hash(&id.hash_algorithm.oid, ca.subject_public_key_info.subject_public_key.raw_bytes())?;
                (name == id.issuer_name_hash.as_bytes() && key == id.issuer_key_hash.as_bytes())
                    .then(|| Serial::from_x509(&id.serial_number).ok().map(|s| (kind, s)))
                    .flatten()
            });
            queries.push(OcspQuery { cert_id: id.clone(), target });
        }
        Ok(ParsedRequest { queries, nonce: req.nonce() })
    }

    /// A signed response giving `statuses[i]` for `req.queries[i]`. Queries about certificates
    /// that are not ours are answered `unknown`.
    pub fn ocsp_respond(&self, req: &ParsedRequest, statuses: &[Status], now: i64) -> Result<Vec<u8>, PkiError> {
        let kind = req.queries.iter().find_map(|q| q.target.map(|t| t.0)).unwrap_or(CertKind::UserAuth);
        let ca = self.issuing(kind);
        let produced = gt(now)?;
        let next = gt(now + VALID_SECS)?;
        let mut responses = Vec::new();
        for (q, s) in req.queries.iter().zip(statuses) {
            let status = match q.target {
                Some((k, _)) if k == kind => to_status(s, now)?,
                _ => CertStatus::unknown(),
            };
            responses.push(SingleResponse {
                cert_id: q.cert_id.clone(),
                cert_status: status,
                this_update: produced,
                next_update: Some(next),
                single_extensions: None,
            });
        }
        let response_extensions = match &req.nonce {
            Some(n) => Some(vec![Extension {
                extn_id: Nonce::OID,
                critical: false,
                extn_value: OctetString::new(n.to_der()?)?,
            }]),
            None => None,
        };
        let key_hash = digest::digest(
            &SHA1_FOR_LEGACY_USE_ONLY,
            ca.cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes(),
        );
        let data = ResponseData {
            version: Version::V1,
            responder_id: ResponderId::ByKey(OctetString::new(key_hash.as_ref())?),
            produced_at: produced,
            responses,
            response_extensions,
        };
        let signature = ca.sign(&data.to_der()?)?;
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: key::sha256_with_rsa(),
            signature,
            certs: None,
        };
        Ok(OcspResponse::successful(basic)?.to_der()?)
    }
}

fn cert_id(trust: &TrustStore, kind: CertKind, serial: Serial) -> Result<CertId, PkiError> {
    let issuer = trust.issuer(kind).ok_or_else(|| PkiError::UnknownIssuer(kind.to_string()))?;
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned { oid: oid::SHA256, parameters: Some(Null.into()) },
        issuer_name_hash: OctetString::new(digest::digest(&SHA256, &issuer.name_der).as_ref())?,
        issuer_key_hash: OctetString::new(digest::digest(&SHA256, &issuer.key_bits).as_ref())?,
        serial_number: serial.to_x509()?,
    })
}

/// A request about one certificate, with a nonce the response must echo.
pub fn request(trust: &TrustStore, kind: CertKind, serial: Serial, nonce: &[u8]) -> Result<Vec<u8>, PkiError> {
    let nonce = Nonce::new(nonce.to_vec())?;
    let req = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request { req_cert: cert_id(trust, kind, serial)?, single_request_extensions: None }],
            request_extensions: Some(vec![Extension {
                extn_id: Nonce::OID,
                critical: false,
                extn_value: OctetString::new(nonce.to_der()?)?,
            }]),
        },
        optional_signature: None,
    };
    Ok(req.to_der()?)
}

/// Checks a response from the authority about (`kind`, `serial`): signed by that kind's CA,
/// echoing `nonce`, current at `now`.
pub fn read_response(
    der: &[u8],
    trust: &TrustStore,
    kind: CertKind,
    serial: Serial,
    nonce: &[u8],
    now: i64,
) -> Result<Status, PkiError> {
    let resp = OcspResponse::from_der(der).map_err(bad)?;
    if resp.response_status != OcspResponseStatus::Successful {
        return Err(bad(format!("the responder answered {:?}", resp.response_status)));
    }
    let bytes = resp.response_bytes.ok_or_else(|| bad("successful response without a body"))?;
    if bytes.response_type != BasicOcspResponse::OID {
        return Err(bad("not a basic OCSP response"));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(bad)?;
    let issuer = trust.issuer(kind).ok_or_else(|| PkiError::UnknownIssuer(kind.to_string()))?;
    let sig = basic.signature.as_bytes().ok_or_else(|| bad("signature has unused bits"))?;
    issuer
        .key
        .verify(&basic.tbs_response_data.to_der()?, sig)
        .map_err(|_| bad("the response is not signed by the issuing CA"))?;
    match basic.nonce() {
        Some(n) if n.0.as_bytes() == nonce => {}
        _ => return Err(bad("the response does not echo our nonce (replayed?)")),
    }
    let want = cert_id(trust, kind, serial)?;
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| r.cert_id == want)
        .ok_or_else(|| bad("the response is about another certificate"))?;
    let this_update = single.this_update.0.to_unix_duration().as_secs() as i64;
    let next_update = single.next_update.map(|t| t.0.to_unix_duration().as_secs() as i64).unwrap_or(this_update);
    if this_update > now + 300 || next_update < now {
        return Err(bad("the response is not current"));
    }
    Ok(match single.cert_status {
        CertStatus::Good(_) => Status::Good,
        CertStatus::Unknown(_) => Status::Unknown,
        CertStatus::Revoked(info) => Status::Revoked {
            at: info.revocation_time.0.to_unix_duration().as_secs() as i64,
            reason: info.revocation_reason.map(crate::Reason::from_crl_reason).unwrap_or(crate::Reason::HolderRequest),
        },
    })
}
