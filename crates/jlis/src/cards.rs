//! Card and JPKI endpoints: application, issuance, suspension, return, reset, reissue; the CA
//! certificates, CRLs, OCSP; signature checks; verifiers and holders' consents.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64ct::{Base64, Encoding};
use myna_node::{ApiError, ApiJson};
use myna_pki::{CardCert, CertKind, Holder, IssueRequest, PkiError, Reason, Serial, Status, csr, time as pt};
use myna_registry::{EventKind, Resident, ResidentCode, Status as Living};
use myna_store::StoreError;

use crate::store::{CardError, CardRow, CardStatus, CertRow, NewCert};

use crate::{api::ErrorBody, cards_api::*, state::Jlis};

type St = State<Arc<Jlis>>;

/// Why a card request failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Card(#[from] CardError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error("internal lock poisoned")]
    Poisoned,
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Card(CardError::NoSuchCard(n)) => ApiError::not_found(format!("no card numbered {n:012}")),
            Failure::Card(e @ (CardError::WrongState { .. } | CardError::AlreadyHolds(..))) => {
                ApiError::conflict("card_state", e.to_string())
            }
            Failure::Pki(e) => ApiError::unprocessable("certificate_refused", e.to_string()),
            Failure::Card(CardError::Store(e)) | Failure::Store(e) => ApiError::store(e),
            Failure::Poisoned => ApiError::internal("poisoned lock"),
        }
    }
}

pub(crate) fn routes(state: Arc<Jlis>) -> Router {
    Router::new()
        .route("/v1/jpki/ca", get(authority))
        .route("/v1/cards/applications", post(apply))
        .route("/v1/cards/{card}", get(card))
        .route("/v1/cards/{card}/issue", post(issue))
        .route("/v1/cards/{card}/suspend", post(suspend))
        .route("/v1/cards/{card}/resume", post(resume))
        .route("/v1/cards/{card}/return", post(return_card))
        .route("/v1/cards/{card}/reset-key", post(reset_key))
        .route("/v1/cards/{card}/reissue-signing", post(reissue_signing))
        .route("/crl/{file}", get(crl))
        .route("/ocsp", post(ocsp))
        .route("/v1/jpki/verify", post(verify_signature))
        .route("/v1/verifiers", post(register_verifier))
        .route("/v1/consents", post(consent))
        .route("/v1/verifiers/me/certificates/{serial}/latest", get(latest))
        .with_state(state)
}

use myna_node::now_secs as now;

fn invalid(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::unprocessable("invalid_field", format!("{field}: {e}"))
}

fn card_number(s: &str) -> Result<u64, ApiError> {
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("card", format!("{s:?} is not a 12-digit card number")));
    }
    s.parse().map_err(|e| invalid("card", e))
}

/// How a status is written in answers: `good`, the revocation reason, or `unknown`.
fn status_word(s: Status) -> String {
    match s {
        Status::Good => "good".into(),
        Status::Revoked { reason, .. } => reason.slug().into(),
        Status::Unknown => "unknown".into(),
    }
}

fn cert_view(c: &CertRow) -> Result<CertView, ApiError> {
    let der = Base64::decode_vec(&c.der)
        .map_err(|_| ApiError::internal(format!("stored certificate {} is not base64", c.serial)))?;
    Ok(CertView {
        serial: c.serial.to_string(),
        kind: c.kind.slug().into(),
        not_after: c.not_after,
        status: status_word(c.status()),
        pem: myna_pki::pem("CERTIFICATE", &der),
    })
}

async fn view(j: &Jlis, row: CardRow) -> Result<CardView, ApiError> {
    let certs = j.cards.certificates_of_card(row.number).await.map_err(Failure::from)?;
    Ok(CardView {
        card: format!("{:012}", row.number),
        resident: format!("{:011}", row.resident),
        status: row.status.as_str().into(),
        applied_at: row.applied_at,
        status_at: row.status_at,
        expires: row.expires,
        certificates: certs.iter().map(cert_view).collect::<Result<_, _>>()?,
    })
}

async fn living(j: &Jlis, code: ResidentCode) -> Result<Resident, ApiError> {
    let r = j
        .registry
        .resident(code)
        .await
        .map_err(crate::errors::from_store)?
        .ok_or_else(|| ApiError::not_found(format!("no resident with record code {code}")))?;
    if r.status != Living::Resident {
        return Err(ApiError::conflict(
            "not_resident",
            format!("resident {code} is {} and cannot hold a card", r.status.as_str()),
        ));
    }
    Ok(r)
}

fn holder_of(r: &Resident) -> Result<Holder, ApiError> {
    let sex = match r.sex.map(|s| s.as_str()) {
        Some("male") => myna_pki::Sex::Male,
        Some("female") => myna_pki::Sex::Female,
        _ => myna_pki::Sex::NotStated,
    };
    Holder::new(&r.name.kanji, r.birth.date(), sex, &r.address.line()).map_err(ApiError::internal)
}

fn holder_view(h: &Holder) -> HolderView {
    HolderView {
        name: h.name.clone(),
        birth: h.birth.to_string(),
        sex: h.sex.code().into(),
        address: h.address.clone(),
    }
}

#[utoipa::path(get, path = "/v1/jpki/ca", responses((status = 200, body = AuthorityView)))]
pub(crate) async fn authority(State(j): St) -> Json<AuthorityView> {
    let pem = |d: &[u8]| myna_pki::pem("CERTIFICATE", d);
    Json(AuthorityView {
        root: pem(j.ca.root().certificate_der()),
        signing: pem(j.ca.issuing(CertKind::Signing).certificate_der()),
        user_auth: pem(j.ca.issuing(CertKind::UserAuth).certificate_der()),
    })
}

#[utoipa::path(post, path = "/v1/cards/applications", request_body = ApplyRequest,
    responses((status = 201, body = CardView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already holds a card, or not living here", body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn apply(
    State(j): St,
    ApiJson(req): ApiJson<ApplyRequest>,
) -> Result<(StatusCode, Json<CardView>), ApiError> {
    let code: ResidentCode = req.resident.parse().map_err(|e| invalid("resident", e))?;
    living(&j, code).await?;
    let row = j.cards.apply(code.value(), now()).await.map_err(Failure::from)?;
    Ok((StatusCode::CREATED, Json(view(&j, row).await?)))
}

#[utoipa::path(get, path = "/v1/cards/{card}", params(("card" = String, Path, description = "12-digit card number", pattern = "^[0-9]{12}$")),
    responses((status = 200, body = CardView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn card(State(j): St, Path(card): Path<String>) -> Result<Json<CardView>, ApiError> {
    let row = j.cards.card(card_number(&card)?).await.map_err(Failure::from)?;
    Ok(Json(view(&j, row).await?))
}

fn hex32(s: &str) -> Result<[u8; 32], ApiError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| invalid("reset_key", "64 hexadecimal characters"))?;
    Ok(out)
}

/// Issues one certificate of `kind` for `holder` on `card`, valid until the 5th birthday after
/// today and never beyond the card.
async fn certify(
    j: &Jlis,
    kind: CertKind,
    csr_pem: &str,
    holder: &Holder,
    card_until: i64,
) -> Result<NewCert, ApiError> {
    let checked = csr::check(csr_pem.as_bytes())
        .map_err(|e| invalid(if kind == CertKind::Signing { "signing_csr" } else { "user_auth_csr" }, e))?;
    let serial_value = j.cards.reserve("certificate_serial", 1).await.map_err(Failure::from)?;
    // Serials 1-3 are the authority's own certificates.
    let serial = Serial::new(serial_value + 100).ok_or_else(|| ApiError::internal("serial out of range"))?;
    let t = now();
    let until = pt::end_of_day_jst(myna_pki::certificate_until(holder.birth, pt::day_jst(t))).min(card_until);
    let mut subject = [0u8; 10];
    aws_lc_rs::rand::fill(&mut subject).map_err(|_| ApiError::internal("random"))?;
    let subject = hex::encode_upper(subject);
    let der =
        j.ca.issue(&IssueRequest {
            kind,
            serial,
            subject_id: &subject,
            csr: &checked,
            holder: (kind == CertKind::Signing).then_some(holder),
            not_before: t - 60,
            not_after: until,
            crl_url: &j.crl_url(kind),
            ocsp_url: &j.ocsp_url(),
        })
        .map_err(Failure::from)?;
    Ok(NewCert { serial, kind, not_after: until, der: Base64::encode_string(&der) })
}

#[utoipa::path(post, path = "/v1/cards/{card}/issue", request_body = IssueRequestBody, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 201, body = CardView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Not in the applied state", body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, description = "A request that is malformed or not signed by its key", body = ErrorBody)))]
pub(crate) async fn issue(
    State(j): St,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<IssueRequestBody>,
) -> Result<(StatusCode, Json<CardView>), ApiError> {
    let number = card_number(&card)?;
    let reset_key = hex32(&req.reset_key)?;
    let row = j.cards.card(number).await.map_err(Failure::from)?;
    if row.status != CardStatus::Applied {
        return Err(
            Failure::Card(CardError::WrongState { number, status: row.status.as_str(), wanted: "issued" }).into()
        );
    }
    let code = ResidentCode::from_value(row.resident).ok_or_else(|| ApiError::internal("stored resident code"))?;
    let resident = living(&j, code).await?;
    let holder = holder_of(&resident)?;
    let today = pt::day_jst(now());
    let expires = myna_pki::card_until(&holder, today);
    let card_until = pt::end_of_day_jst(expires);
    let s = certify(&j, CertKind::Signing, &req.signing_csr, &holder, card_until).await?;
    let u = certify(&j, CertKind::UserAuth, &req.user_auth_csr, &holder, card_until).await?;
    j.cards
        .issue(number, &[s, u], &expires.to_string(), &hex::encode(reset_key), now())
        .await
        .map_err(Failure::from)?;
    tracing::info!(card = number, "card issued");
    let row = j.cards.card(number).await.map_err(Failure::from)?;
    Ok((StatusCode::CREATED, Json(view(&j, row).await?)))
}

async fn transition(
    j: &Jlis,
    card: &str,
    from: &[CardStatus],
    to: CardStatus,
    revoke: Option<Reason>,
) -> Result<Json<CardView>, ApiError> {
    let number = card_number(card)?;
    let changed = j.cards.set_status(number, from, to, revoke, now()).await.map_err(Failure::from)?;
    tracing::info!(card = number, status = to.as_str(), certificates = changed.len(), "card status changed");
    let row = j.cards.card(number).await.map_err(Failure::from)?;
    Ok(Json(view(j, row).await?))
}

#[utoipa::path(post, path = "/v1/cards/{card}/suspend", params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Suspended: both certificates on hold", body = CardView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn suspend(State(j): St, Path(card): Path<String>) -> Result<Json<CardView>, ApiError> {
    transition(&j, &card, &[CardStatus::Issued], CardStatus::Suspended, Some(Reason::Suspended)).await
}

#[utoipa::path(post, path = "/v1/cards/{card}/resume", params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Found again: the hold is lifted", body = CardView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn resume(State(j): St, Path(card): Path<String>) -> Result<Json<CardView>, ApiError> {
    transition(&j, &card, &[CardStatus::Suspended], CardStatus::Issued, None).await
}

#[utoipa::path(post, path = "/v1/cards/{card}/return", params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, description = "Returned: both certificates revoked", body = CardView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn return_card(State(j): St, Path(card): Path<String>) -> Result<Json<CardView>, ApiError> {
    transition(
        &j,
        &card,
        &[CardStatus::Applied, CardStatus::Issued, CardStatus::Suspended],
        CardStatus::Ended,
        Some(Reason::CardEnded),
    )
    .await
}

#[utoipa::path(post, path = "/v1/cards/{card}/reset-key", request_body = ResetKeyRequest, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 200, body = ResetKeyResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn reset_key(
    State(j): St,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<ResetKeyRequest>,
) -> Result<Json<ResetKeyResponse>, ApiError> {
    let number = card_number(&card)?;
    for (field, v) in [("clerk", &req.clerk), ("document", &req.document)] {
        if v.trim().is_empty() || v.chars().count() > 100 {
            return Err(invalid(
                field,
                "say who checked the holder's identity and with which document (1 to 100 characters)",
            ));
        }
    }
    let row = j.cards.card(number).await.map_err(Failure::from)?;
    let key = match (row.status, row.reset_key) {
        (CardStatus::Issued | CardStatus::Suspended, Some(k)) => k,
        (s, _) => {
            return Err(Failure::Card(CardError::WrongState { number, status: s.as_str(), wanted: "reset" }).into());
        }
    };
    tracing::info!(card = number, clerk = %req.clerk, document = %req.document, "reset key released after identity check");
    Ok(Json(ResetKeyResponse { card: format!("{number:012}"), reset_key: key }))
}

#[utoipa::path(post, path = "/v1/cards/{card}/reissue-signing", request_body = ReissueRequest, params(("card" = String, Path, pattern = "^[0-9]{12}$")),
    responses((status = 201, body = CardView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn reissue_signing(
    State(j): St,
    Path(card): Path<String>,
    ApiJson(req): ApiJson<ReissueRequest>,
) -> Result<(StatusCode, Json<CardView>), ApiError> {
    let number = card_number(&card)?;
    let row = j.cards.card(number).await.map_err(Failure::from)?;
    if row.status != CardStatus::Issued {
        return Err(Failure::Card(CardError::WrongState {
            number,
            status: row.status.as_str(),
            wanted: "given a new signing certificate",
        })
        .into());
    }
    let code = ResidentCode::from_value(row.resident).ok_or_else(|| ApiError::internal("stored resident code"))?;
    let resident = living(&j, code).await?;
    let card_until = row
        .expires
        .as_deref()
        .and_then(|d| myna_registry::parse_date(d).ok())
        .map(pt::end_of_day_jst)
        .ok_or_else(|| ApiError::internal("stored card expiry"))?;
    // The one still good (if any) is superseded.
    j.cards
        .revoke_kind_for_resident(row.resident, CertKind::Signing, Reason::Superseded, now())
        .await
        .map_err(Failure::from)?;
    let s = certify(&j, CertKind::Signing, &req.signing_csr, &holder_of(&resident)?, card_until).await?;
    j.cards.add_certificates(number, &[s]).await.map_err(Failure::from)?;
    Ok((StatusCode::CREATED, Json(view(&j, j.cards.card(number).await.map_err(Failure::from)?).await?)))
}

#[utoipa::path(get, path = "/crl/{file}", params(("file" = String, Path, description = "sign.crl or auth.crl")),
    responses((status = 200, description = "DER CRL (RFC 5280)", content_type = "application/pkix-crl", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub(crate) async fn crl(State(j): St, Path(file): Path<String>) -> Result<Response, ApiError> {
    let kind = file
        .strip_suffix(".crl")
        .and_then(CertKind::from_slug)
        .ok_or_else(|| ApiError::not_found(format!("no CRL {file:?}: there are sign.crl and auth.crl")))?;
    let der = j.crl(kind, now()).await?;
    Ok(([(header::CONTENT_TYPE, "application/pkix-crl")], (*der).clone()).into_response())
}

/// Resolves `Authorization: Bearer <id>.<token>` to a registered verifier's id.
async fn verifier(j: &Jlis, headers: &HeaderMap) -> Result<String, ApiError> {
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m.to_string());
    let value = myna_node::bearer(headers)
        .ok_or_else(|| unauthorized("send Authorization: Bearer <verifier id>.<token> (registered verifiers only)"))?;
    let (id, token) = value.split_once('.').ok_or_else(|| unauthorized("the token is <verifier id>.<token>"))?;
    let (_, stored) = j
        .cards
        .verifier(id)
        .await
        .map_err(Failure::from)?
        .ok_or_else(|| unauthorized("unknown verifier or wrong token"))?;
    let given = token_hash(token);
    aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), stored.as_bytes())
        .map_err(|_| unauthorized("unknown verifier or wrong token"))?;
    Ok(id.to_string())
}

fn token_hash(token: &str) -> String {
    hex::encode(myna_pki::sha256(token.as_bytes()))
}

async fn status_of(j: &Jlis, kind: CertKind, serial: Serial) -> Result<Status, Failure> {
    Ok(match j.cards.certificate(serial).await? {
        Some(c) if c.kind == kind => c.status(),
        _ => Status::Unknown,
    })
}

#[utoipa::path(post, path = "/ocsp", request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "DER OCSPRequest; clients usually send it as application/ocsp-request, which is accepted too"),
    responses((status = 200, description = "DER OCSP response (RFC 6960); a malformed request gets malformedRequest", content_type = "application/ocsp-response", body = Vec<u8>), (status = 401, body = ErrorBody)))]
pub(crate) async fn ocsp(State(j): St, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    verifier(&j, &headers).await?;
    let reply = |b: Vec<u8>| ([(header::CONTENT_TYPE, "application/ocsp-response")], b).into_response();
    let Ok(req) = j.ca.ocsp_parse(&body) else {
        return Ok(reply(myna_pki::ocsp::malformed_response()));
    };
    let mut statuses = Vec::with_capacity(req.queries.len());
    for q in &req.queries {
        statuses.push(match q.target {
            Some((kind, serial)) => status_of(&j, kind, serial).await?,
            None => Status::Unknown,
        });
    }
    Ok(reply(j.ca.ocsp_respond(&req, &statuses, now()).map_err(Failure::from)?))
}

fn decode_b64(field: &str, s: &str) -> Result<Vec<u8>, ApiError> {
    Base64::decode_vec(s.trim()).map_err(|_| invalid(field, "not base64"))
}

fn read_cert(s: &str) -> Result<CardCert, PkiError> {
    if s.trim_start().starts_with("-----BEGIN") {
        CardCert::parse(s.trim().as_bytes())
    } else {
        let der = Base64::decode_vec(s.trim())
            .map_err(|_| PkiError::MalformedCertificate("neither PEM nor base64 DER".into()))?;
        CardCert::parse(&der)
    }
}

#[utoipa::path(post, path = "/v1/jpki/verify", request_body = SignatureCheckRequest,
    responses((status = 200, description = "valid, or why not", body = SignatureCheckResponse), (status = 400, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn verify_signature(
    State(j): St,
    ApiJson(req): ApiJson<SignatureCheckRequest>,
) -> Result<Json<SignatureCheckResponse>, ApiError> {
    let want = CertKind::from_slug(&req.purpose).ok_or_else(|| invalid("purpose", "\"sign\" or \"auth\""))?;
    let message = decode_b64("message", &req.message)?;
    let signature = decode_b64("signature", &req.signature)?;
    let no = |reason: String, cert: Option<&CardCert>, status: Option<String>| SignatureCheckResponse {
        valid: false,
        reason: Some(reason),
        serial: cert.map(|c| c.serial.to_string()),
        kind: cert.map(|c| c.kind.slug().to_string()),
        status,
        holder: None,
    };
    let cert = match read_cert(&req.certificate) {
        Ok(c) => c,
        Err(e) => return Ok(Json(no(e.to_string(), None, None))),
    };
    let status = status_of(&j, cert.kind, cert.serial).await?;
    let status_text = status_word(status);
    if let Err(e) = j.trust.check(&cert, want, now(), status) {
        return Ok(Json(no(e.to_string(), Some(&cert), Some(status_text))));
    }
    if let Err(e) = myna_pki::verify_signature(&cert, &message, &signature) {
        return Ok(Json(no(e.to_string(), Some(&cert), Some(status_text))));
    }
    Ok(Json(SignatureCheckResponse {
        valid: true,
        reason: None,
        serial: Some(cert.serial.to_string()),
        kind: Some(cert.kind.slug().into()),
        status: Some(status_text),
        holder: cert.holder.as_ref().map(holder_view),
    }))
}

#[utoipa::path(post, path = "/v1/verifiers", request_body = VerifierRequest,
    responses((status = 201, body = VerifierRegistered), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn register_verifier(
    State(j): St,
    ApiJson(req): ApiJson<VerifierRequest>,
) -> Result<(StatusCode, Json<VerifierRegistered>), ApiError> {
    if req.id.is_empty() || req.id.len() > 40 || !req.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(invalid("id", "1 to 40 letters, digits and hyphens"));
    }
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        return Err(invalid("name", "1 to 100 characters"));
    }
    let mut raw = [0u8; 24];
    aws_lc_rs::rand::fill(&mut raw).map_err(|_| ApiError::internal("random"))?;
    let token = hex::encode(raw);
    if !j.cards.register_verifier(&req.id, &req.name, &token_hash(&token), now()).await.map_err(Failure::from)? {
        return Err(ApiError::conflict("verifier_exists", format!("verifier {:?} is already registered", req.id)));
    }
    Ok((StatusCode::CREATED, Json(VerifierRegistered { id: req.id.clone(), token: format!("{}.{token}", req.id) })))
}

/// The text a holder signs to consent (or withdraw).
pub fn consent_text(verifier: &str, grant: bool) -> String {
    format!("myna-consent/1:{}:{verifier}", if grant { "grant" } else { "withdraw" })
}

#[utoipa::path(post, path = "/v1/consents", request_body = ConsentRequest,
    responses((status = 204, description = "Recorded"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, description = "Not signed by a good signing certificate", body = ErrorBody)))]
pub(crate) async fn consent(State(j): St, ApiJson(req): ApiJson<ConsentRequest>) -> Result<StatusCode, ApiError> {
    if j.cards.verifier(&req.verifier).await.map_err(Failure::from)?.is_none() {
        return Err(ApiError::not_found(format!("no registered verifier {:?}", req.verifier)));
    }
    let cert = read_cert(&req.certificate).map_err(|e| invalid("certificate", e))?;
    let status = status_of(&j, cert.kind, cert.serial).await?;
    j.trust.check(&cert, CertKind::Signing, now(), status).map_err(|e| invalid("certificate", e))?;
    let sig = decode_b64("signature", &req.signature)?;
    myna_pki::verify_signature(&cert, consent_text(&req.verifier, req.grant).as_bytes(), &sig)
        .map_err(|e| invalid("signature", e))?;
    let row = j
        .cards
        .certificate(cert.serial)
        .await
        .map_err(Failure::from)?
        .ok_or_else(|| ApiError::not_found("certificate not on record"))?;
    let card = j.cards.card(row.card).await.map_err(Failure::from)?;
    j.cards.set_consent(&req.verifier, card.resident, req.grant, now()).await.map_err(Failure::from)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/verifiers/me/certificates/{serial}/latest", params(("serial" = String, Path, description = "A signing certificate's serial (hex) the verifier received")),
    responses((status = 200, body = LatestView), (status = 401, body = ErrorBody), (status = 403, description = "No consent from the holder", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn latest(
    State(j): St,
    headers: HeaderMap,
    Path(serial): Path<String>,
) -> Result<Json<LatestView>, ApiError> {
    let verifier = verifier(&j, &headers).await?;
    let serial: Serial = serial.parse().map_err(|e| invalid("serial", e))?;
    let row = j
        .cards
        .certificate(serial)
        .await
        .map_err(Failure::from)?
        .filter(|c| c.kind == CertKind::Signing)
        .ok_or_else(|| ApiError::not_found(format!("no signing certificate {serial}")))?;
    let card = j.cards.card(row.card).await.map_err(Failure::from)?;
    if !j.cards.has_consent(&verifier, card.resident).await.map_err(Failure::from)? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "no_consent",
            "the holder has not consented (or withdrew consent) to this verifier receiving their latest 4 items",
        ));
    }
    let code = ResidentCode::from_value(card.resident).ok_or_else(|| ApiError::internal("stored resident code"))?;
    let r = j
        .registry
        .resident(code)
        .await
        .map_err(crate::errors::from_store)?
        .ok_or_else(|| ApiError::not_found("resident"))?;
    Ok(Json(LatestView {
        serial: serial.to_string(),
        status: status_word(row.status()),
        holder: holder_view(&holder_of(&r)?),
    }))
}

/// After a registry event: a name or address change revokes the signing certificate; a death
/// ends the card and revokes both.
pub(crate) async fn after_event(j: &Jlis, resident: u64, kind: &EventKind) -> Result<(), Failure> {
    let t = now();
    match kind {
        EventKind::MoveIn { .. } | EventKind::MoveWithin { .. } | EventKind::NameChange { .. } => {
            let r = j.cards.revoke_kind_for_resident(resident, CertKind::Signing, Reason::HolderChanged, t).await?;
            if !r.is_empty() {
                tracing::info!(
                    resident,
                    revoked = r.len(),
                    "signing certificate revoked after a change of name or address"
                );
            }
        }
        EventKind::Death => {
            for card in j.cards.cards_of(resident).await? {
                if card.status != CardStatus::Ended {
                    j.cards
                        .set_status(
                            card.number,
                            &[CardStatus::Applied, CardStatus::Issued, CardStatus::Suspended],
                            CardStatus::Ended,
                            Some(Reason::CardEnded),
                            t,
                        )
                        .await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}
