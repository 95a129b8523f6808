//! The card and JPKI service (the core under `cards.rs`): applications, issuance, suspension,
//! return, the reset key, signing-certificate reissue, revocation status (CRL, OCSP), signature
//! checks, verifiers and holders' consents, and what a registry event does to a card.

use base64ct::{Base64, Encoding};
use myna_node::now_secs as now;
use myna_pki::{CardCert, CertKind, Holder, IssueRequest, PkiError, Reason, Serial, Status, csr, time as pt};
use myna_registry::{EventKind, Resident, ResidentCode, Status as Living};

use crate::{
    access::Caller,
    cards_api::*,
    error::JlisError,
    state::Jlis,
    store::{CardError, CardRow, CardStatus, CertRow, NewCert},
};

type Result<T> = std::result::Result<T, JlisError>;

/// A card number as written: 12 digits.
pub(crate) fn card_number(s: &str) -> Result<u64> {
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JlisError::invalid("card", format!("{s:?} is not a 12-digit card number")));
    }
    s.parse().map_err(|e| JlisError::invalid("card", e))
}

/// How a status is written in answers: `good`, the revocation reason, or `unknown`.
fn status_word(s: Status) -> String {
    match s {
        Status::Good => "good".into(),
        Status::Revoked { reason, .. } => reason.slug().into(),
        Status::Unknown => "unknown".into(),
    }
}

fn cert_view(c: &CertRow) -> Result<CertView> {
    let der = Base64::decode_vec(&c.der)
        .map_err(|_| JlisError::internal(format!("stored certificate {} is not base64", c.serial)))?;
    Ok(CertView {
        serial: c.serial.to_string(),
        kind: c.kind.slug().into(),
        not_after: c.not_after,
        status: status_word(c.status()),
        pem: myna_pki::pem("CERTIFICATE", &der),
    })
}

fn holder_of(r: &Resident) -> Result<Holder> {
    let sex = match r.sex.map(|s| s.as_str()) {
        Some("male") => myna_pki::Sex::Male,
        Some("female") => myna_pki::Sex::Female,
        _ => myna_pki::Sex::NotStated,
    };
    Holder::new(&r.name.kanji, r.birth.date(), sex, &r.address.line()).map_err(JlisError::internal)
}

fn holder_view(h: &Holder) -> HolderView {
    HolderView {
        name: h.name.clone(),
        birth: h.birth.to_string(),
        sex: h.sex.code().into(),
        address: h.address.clone(),
    }
}

pub(crate) fn stored_code(resident: u64) -> Result<ResidentCode> {
    ResidentCode::from_value(resident).ok_or_else(|| JlisError::internal("stored resident code"))
}

pub(crate) fn decode_b64(field: &'static str, s: &str) -> Result<Vec<u8>> {
    Base64::decode_vec(s.trim()).map_err(|_| JlisError::invalid(field, "not base64"))
}

pub(crate) fn read_cert(s: &str) -> std::result::Result<CardCert, PkiError> {
    if s.trim_start().starts_with("-----BEGIN") {
        CardCert::parse(s.trim().as_bytes())
    } else {
        let der = Base64::decode_vec(s.trim())
            .map_err(|_| PkiError::MalformedCertificate("neither PEM nor base64 DER".into()))?;
        CardCert::parse(&der)
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(myna_pki::sha256(token.as_bytes()))
}

/// The text a holder signs to consent (or withdraw).
pub fn consent_text(verifier: &str, grant: bool) -> String {
    format!("myna-consent/1:{}:{verifier}", if grant { "grant" } else { "withdraw" })
}

impl Jlis {
    /// The authority's certificates.
    pub fn authority(&self) -> AuthorityView {
        let pem = |d: &[u8]| myna_pki::pem("CERTIFICATE", d);
        AuthorityView {
            root: pem(self.ca.root().certificate_der()),
            signing: pem(self.ca.issuing(CertKind::Signing).certificate_der()),
            user_auth: pem(self.ca.issuing(CertKind::UserAuth).certificate_der()),
        }
    }

    async fn card_view(&self, row: CardRow) -> Result<CardView> {
        let certs = self.cards.certificates_of_card(row.number).await?;
        Ok(CardView {
            card: format!("{:012}", row.number),
            resident: format!("{:011}", row.resident),
            status: row.status.as_str().into(),
            applied_at: row.applied_at,
            status_at: row.status_at,
            status_by: row.status_by,
            expires: row.expires,
            certificates: certs.iter().map(cert_view).collect::<Result<_>>()?,
            face: None,
        })
    }

    /// The face data J-LIS writes into a card it issues: the number and the 4 items of its
    /// holder as the register has them now, signed with J-LIS's network key (`None` on a node
    /// started without one).
    fn face_of(&self, card: u64, resident: &Resident) -> Result<Option<String>> {
        let Some(key) = self.signer.get() else { return Ok(None) };
        let Some(items) = crate::ResidentView::of(resident, true).link_items() else { return Ok(None) };
        let face = myna_link::face::CardFace { card: format!("{card:012}"), items, written_at: now() };
        key.sign(&face).map(Some).map_err(|e| JlisError::Internal(format!("signing the card's face data: {e}")))
    }

    /// A resident who lives here (only they may hold a card).
    async fn living(&self, code: ResidentCode) -> Result<Resident> {
        let r = self
            .registry
            .resident(code)
            .await?
            .ok_or_else(|| JlisError::NotFound(format!("no resident with record code {code}")))?;
        if r.status != Living::Resident {
            let reason = format!("resident {code} is {} and cannot hold a card", r.status.as_str());
            return Err(JlisError::conflict("not_resident", reason));
        }
        Ok(r)
    }

    /// The card, if `caller` may act on it: the municipality that keeps its holder's
    /// register, or (where `hotline` is true) J-LIS's hotline for any card.
    async fn card_for(&self, caller: &Caller, number: u64, hotline: bool) -> Result<CardRow> {
        let row = self.cards.card(number).await?;
        if hotline && matches!(caller, Caller::Hotline(_)) {
            return Ok(row);
        }
        let code = stored_code(row.resident)?;
        let r = self
            .registry
            .resident(code)
            .await?
            .ok_or_else(|| JlisError::internal(format!("card {number:012} names no stored resident")))?;
        crate::registry::keeps(caller, &r)?;
        Ok(row)
    }

    pub async fn apply_card(&self, caller: &Caller, req: &ApplyRequest) -> Result<CardView> {
        let code: ResidentCode = req.resident.parse().map_err(|e| JlisError::invalid("resident", e))?;
        let r = self.living(code).await?;
        crate::registry::keeps(caller, &r)?;
        let row = self.cards.apply(code.value(), now()).await?;
        self.card_view(row).await
    }

    pub async fn card(&self, caller: &Caller, card: &str) -> Result<CardView> {
        let row = self.card_for(caller, card_number(card)?, false).await?;
        self.card_view(row).await
    }

    /// Issues one certificate of `kind` for `holder`, valid until the 5th birthday after
    /// today and never beyond the card.
    async fn certify(&self, kind: CertKind, csr_pem: &str, holder: &Holder, card_until: i64) -> Result<NewCert> {
        let field = if kind == CertKind::Signing { "signing_csr" } else { "user_auth_csr" };
        let checked = csr::check(csr_pem.as_bytes()).map_err(|e| JlisError::invalid(field, e))?;
        let serial_value = self.cards.reserve("certificate_serial", 1).await?;
        // Serials 1-3 are the authority's own certificates.
        let serial = Serial::new(serial_value + 100).ok_or_else(|| JlisError::internal("serial out of range"))?;
        let t = now();
        let until = pt::end_of_day_jst(myna_pki::certificate_until(holder.birth, pt::day_jst(t))).min(card_until);
        let mut subject = [0u8; 10];
        aws_lc_rs::rand::fill(&mut subject).map_err(|_| JlisError::internal("no random source"))?;
        let subject = hex::encode_upper(subject);
        let der = self.ca.issue(&IssueRequest {
            kind,
            serial,
            subject_id: &subject,
            csr: &checked,
            holder: (kind == CertKind::Signing).then_some(holder),
            not_before: t - 60,
            not_after: until,
            crl_url: &self.crl_url(kind),
            ocsp_url: &self.ocsp_url(),
        })?;
        Ok(NewCert { serial, kind, not_after: until, der: Base64::encode_string(&der) })
    }

    pub async fn issue_card(&self, caller: &Caller, card: &str, req: &IssueRequestBody) -> Result<CardView> {
        let number = card_number(card)?;
        let mut reset_key = [0u8; 32];
        hex::decode_to_slice(&req.reset_key, &mut reset_key)
            .map_err(|_| JlisError::invalid("reset_key", "64 hexadecimal characters"))?;
        let row = self.card_for(caller, number, false).await?;
        if row.status != CardStatus::Applied {
            return Err(CardError::WrongState { number, status: row.status.as_str(), wanted: "issued" }.into());
        }
        let resident = self.living(stored_code(row.resident)?).await?;
        let holder = holder_of(&resident)?;
        let expires = myna_pki::card_until(&holder, pt::day_jst(now()));
        let card_until = pt::end_of_day_jst(expires);
        let s = self.certify(CertKind::Signing, &req.signing_csr, &holder, card_until).await?;
        let u = self.certify(CertKind::UserAuth, &req.user_auth_csr, &holder, card_until).await?;
        self.cards.issue(number, &[s, u], &expires.to_string(), &hex::encode(reset_key), now()).await?;
        tracing::info!(card = number, "card issued");
        let mut view = self.card_view(self.cards.card(number).await?).await?;
        view.face = self.face_of(number, &resident)?;
        Ok(view)
    }

    async fn transition(
        &self,
        (caller, by): (&Caller, &str),
        card: &str,
        from: &[CardStatus],
        to: CardStatus,
        revoke: Option<Reason>,
    ) -> Result<CardView> {
        let number = card_number(card)?;
        // Only a suspension may come from the hotline (a holder reporting a lost card).
        self.card_for(caller, number, to == CardStatus::Suspended).await?;
        self.set_card_status((number, by), from, to, revoke).await
    }

    /// The change itself, recorded with who made it.
    pub(crate) async fn set_card_status(
        &self,
        (number, by): (u64, &str),
        from: &[CardStatus],
        to: CardStatus,
        revoke: Option<Reason>,
    ) -> Result<CardView> {
        let changed = self.cards.set_status((number, by), from, to, revoke, now()).await?;
        tracing::info!(card = number, status = to.as_str(), by, certificates = changed.len(), "card status changed");
        self.card_view(self.cards.card(number).await?).await
    }

    /// Suspended (一時停止): both certificates on hold. By the holder's municipality or the
    /// 24×365 hotline's operator (`by` names them).
    pub async fn suspend_card(&self, caller: &Caller, by: &str, card: &str) -> Result<CardView> {
        let to = CardStatus::Suspended;
        self.transition((caller, by), card, &[CardStatus::Issued], to, Some(Reason::Suspended)).await
    }

    /// Found again: the hold is lifted.
    pub async fn resume_card(&self, caller: &Caller, card: &str) -> Result<CardView> {
        let by = caller.id().to_string();
        self.transition((caller, &by), card, &[CardStatus::Suspended], CardStatus::Issued, None).await
    }

    /// Returned (返納): both certificates revoked.
    pub async fn return_card(&self, caller: &Caller, card: &str) -> Result<CardView> {
        let from = [CardStatus::Applied, CardStatus::Issued, CardStatus::Suspended];
        let by = caller.id().to_string();
        self.transition((caller, &by), card, &from, CardStatus::Ended, Some(Reason::CardEnded)).await
    }

    /// The card's reset key, released to the municipality after an identity check it names.
    pub async fn release_reset_key(
        &self,
        caller: &Caller,
        card: &str,
        req: &ResetKeyRequest,
    ) -> Result<ResetKeyResponse> {
        let number = card_number(card)?;
        for (field, v) in [("clerk", &req.clerk), ("document", &req.document)] {
            if v.trim().is_empty() || v.chars().count() > 100 {
                let reason = "say who checked the holder's identity and with which document (1 to 100 characters)";
                return Err(JlisError::invalid(field, reason));
            }
        }
        let row = self.card_for(caller, number, false).await?;
        let key = match (row.status, row.reset_key) {
            (CardStatus::Issued | CardStatus::Suspended, Some(k)) => k,
            (s, _) => return Err(CardError::WrongState { number, status: s.as_str(), wanted: "reset" }.into()),
        };
        tracing::info!(card = number, clerk = %req.clerk, document = %req.document, "reset key released after identity check");
        Ok(ResetKeyResponse { card: format!("{number:012}"), reset_key: key })
    }

    /// A new signing certificate for an issued card (after a change of name or address), with
    /// the card's face data as the register has it now.
    pub async fn reissue_signing(&self, caller: &Caller, card: &str, req: &ReissueRequest) -> Result<CardView> {
        let number = card_number(card)?;
        let row = self.card_for(caller, number, false).await?;
        if row.status != CardStatus::Issued {
            let wanted = "given a new signing certificate";
            return Err(CardError::WrongState { number, status: row.status.as_str(), wanted }.into());
        }
        let resident = self.living(stored_code(row.resident)?).await?;
        let card_until = row
            .expires
            .as_deref()
            .and_then(|d| myna_registry::parse_date(d).ok())
            .map(pt::end_of_day_jst)
            .ok_or_else(|| JlisError::internal("stored card expiry"))?;
        // The one still good (if any) is superseded.
        self.cards.revoke_kind_for_resident(row.resident, CertKind::Signing, Reason::Superseded, now()).await?;
        let s = self.certify(CertKind::Signing, &req.signing_csr, &holder_of(&resident)?, card_until).await?;
        self.cards.add_certificates(number, &[s]).await?;
        // The face data is rewritten with the new certificate: it names the same address.
        let mut view = self.card_view(self.cards.card(number).await?).await?;
        view.face = self.face_of(number, &resident)?;
        Ok(view)
    }

    /// A published CRL by its file name (`sign.crl`, `auth.crl`).
    pub async fn crl_file(&self, file: &str) -> Result<std::sync::Arc<Vec<u8>>> {
        let kind = file
            .strip_suffix(".crl")
            .and_then(CertKind::from_slug)
            .ok_or_else(|| JlisError::NotFound(format!("no CRL {file:?}: there are sign.crl and auth.crl")))?;
        self.crl(kind, now()).await
    }

    /// A registered verifier, from `<id>.<token>`.
    pub async fn verifier(&self, bearer: Option<&str>) -> Result<String> {
        let unauthenticated = |m: &str| JlisError::Unauthenticated(m.to_string());
        let value = bearer.ok_or_else(|| {
            unauthenticated("send Authorization: Bearer <verifier id>.<token> (registered verifiers only)")
        })?;
        let (id, token) = value.split_once('.').ok_or_else(|| unauthenticated("the token is <verifier id>.<token>"))?;
        let (_, stored) =
            self.cards.verifier(id).await?.ok_or_else(|| unauthenticated("unknown verifier or wrong token"))?;
        aws_lc_rs::constant_time::verify_slices_are_equal(token_hash(token).as_bytes(), stored.as_bytes())
            .map_err(|_| unauthenticated("unknown verifier or wrong token"))?;
        Ok(id.to_string())
    }

    pub(crate) async fn status_of(&self, kind: CertKind, serial: Serial) -> Result<Status> {
        Ok(match self.cards.certificate(serial).await? {
            Some(c) if c.kind == kind => c.status(),
            _ => Status::Unknown,
        })
    }

    /// A DER OCSP response to a DER request; a malformed request gets `malformedRequest`.
    pub async fn ocsp(&self, request: &[u8]) -> Result<Vec<u8>> {
        let Ok(req) = self.ca.ocsp_parse(request) else {
            return Ok(myna_pki::ocsp::malformed_response());
        };
        let mut statuses = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            statuses.push(match q.target {
                Some((kind, serial)) => self.status_of(kind, serial).await?,
                None => Status::Unknown,
            });
        }
        Ok(self.ca.ocsp_respond(&req, &statuses, now())?)
    }

    /// Whether a signature is valid under a good JPKI certificate, or why not.
    pub async fn check_signature(&self, req: &SignatureCheckRequest) -> Result<SignatureCheckResponse> {
        let want =
            CertKind::from_slug(&req.purpose).ok_or_else(|| JlisError::invalid("purpose", "\"sign\" or \"auth\""))?;
        let message = decode_b64("message", &req.message)?;
        let signature = decode_b64("signature", &req.signature)?;
        let no = |reason: String, cert: Option<&CardCert>, status: Option<String>| SignatureCheckResponse {
            valid: false,
            reason: Some(reason),
            serial: cert.map(|c| c.serial.to_string()),
            kind: cert.map(|c| c.kind.slug().to_string()),
            status,
            holder: None,
            same_card: None,
        };
        let cert = match read_cert(&req.certificate) {
            Ok(c) => c,
            Err(e) => return Ok(no(e.to_string(), None, None)),
        };
        let status = self.status_of(cert.kind, cert.serial).await?;
        let status_text = status_word(status);
        if let Err(e) = self.trust.check(&cert, want, now(), status) {
            return Ok(no(e.to_string(), Some(&cert), Some(status_text)));
        }
        if let Err(e) = myna_pki::verify_signature(&cert, &message, &signature) {
            return Ok(no(e.to_string(), Some(&cert), Some(status_text)));
        }
        let same_card = match &req.same_card_as {
            None => None,
            Some(other) => {
                let other: Serial =
                    other.parse().map_err(|_| JlisError::invalid("same_card_as", "a certificate serial"))?;
                let card_of = |c: Option<CertRow>| c.map(|c| c.card);
                let (a, b) = (
                    card_of(self.cards.certificate(cert.serial).await?),
                    card_of(self.cards.certificate(other).await?),
                );
                Some(a.is_some() && a == b)
            }
        };
        Ok(SignatureCheckResponse {
            valid: true,
            reason: None,
            serial: Some(cert.serial.to_string()),
            kind: Some(cert.kind.slug().into()),
            status: Some(status_text),
            holder: cert.holder.as_ref().map(holder_view),
            same_card,
        })
    }

    /// Registers a verifier (a relying party that checks certificates); its token is shown once.
    pub async fn register_verifier(&self, req: &VerifierRequest) -> Result<VerifierRegistered> {
        if req.id.is_empty() || req.id.len() > 40 || !req.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(JlisError::invalid("id", "1 to 40 letters, digits and hyphens"));
        }
        if req.name.trim().is_empty() || req.name.chars().count() > 100 {
            return Err(JlisError::invalid("name", "1 to 100 characters"));
        }
        let mut raw = [0u8; 24];
        aws_lc_rs::rand::fill(&mut raw).map_err(|_| JlisError::internal("no random source"))?;
        let token = hex::encode(raw);
        if !self.cards.register_verifier(&req.id, &req.name, &token_hash(&token), now()).await? {
            let reason = format!("verifier {:?} is already registered", req.id);
            return Err(JlisError::conflict("verifier_exists", reason));
        }
        Ok(VerifierRegistered { id: req.id.clone(), token: format!("{}.{token}", req.id) })
    }

    /// A holder's consent (or withdrawal), signed with the card's signing key.
    pub async fn consent(&self, req: &ConsentRequest) -> Result<()> {
        if self.cards.verifier(&req.verifier).await?.is_none() {
            return Err(JlisError::NotFound(format!("no registered verifier {:?}", req.verifier)));
        }
        let cert = read_cert(&req.certificate).map_err(|e| JlisError::invalid("certificate", e))?;
        let status = self.status_of(cert.kind, cert.serial).await?;
        self.trust.check(&cert, CertKind::Signing, now(), status).map_err(|e| JlisError::invalid("certificate", e))?;
        let sig = decode_b64("signature", &req.signature)?;
        myna_pki::verify_signature(&cert, consent_text(&req.verifier, req.grant).as_bytes(), &sig)
            .map_err(|e| JlisError::invalid("signature", e))?;
        let row = self
            .cards
            .certificate(cert.serial)
            .await?
            .ok_or_else(|| JlisError::NotFound("certificate not on record".into()))?;
        let card = self.cards.card(row.card).await?;
        self.cards.set_consent(&req.verifier, card.resident, req.grant, now()).await?;
        Ok(())
    }

    /// The holder's latest 4 items and certificate status, for a verifier the holder consented to.
    pub async fn latest(&self, verifier: &str, serial: &str) -> Result<LatestView> {
        let serial: Serial = serial.parse().map_err(|e| JlisError::invalid("serial", e))?;
        let row = self
            .cards
            .certificate(serial)
            .await?
            .filter(|c| c.kind == CertKind::Signing)
            .ok_or_else(|| JlisError::NotFound(format!("no signing certificate {serial}")))?;
        let card = self.cards.card(row.card).await?;
        if !self.cards.has_consent(verifier, card.resident).await? {
            let reason =
                "the holder has not consented (or withdrew consent) to this verifier receiving their latest 4 items";
            return Err(JlisError::forbidden("no_consent", reason));
        }
        let r = self
            .registry
            .resident(stored_code(card.resident)?)
            .await?
            .ok_or_else(|| JlisError::NotFound("resident".into()))?;
        Ok(LatestView {
            serial: serial.to_string(),
            status: status_word(row.status()),
            holder: holder_view(&holder_of(&r)?),
        })
    }

    /// After a registry event: a name or address change revokes the signing certificate; a
    /// death ends the card and revokes both.
    pub(crate) async fn after_event(&self, resident: u64, kind: &EventKind) -> Result<()> {
        let t = now();
        match kind {
            EventKind::MoveIn { .. } | EventKind::MoveWithin { .. } | EventKind::NameChange { .. } => {
                let r =
                    self.cards.revoke_kind_for_resident(resident, CertKind::Signing, Reason::HolderChanged, t).await?;
                if !r.is_empty() {
                    tracing::info!(
                        resident,
                        revoked = r.len(),
                        "signing certificate revoked after a change of name or address"
                    );
                }
            }
            EventKind::Death => {
                let from = [CardStatus::Applied, CardStatus::Issued, CardStatus::Suspended];
                for card in self.cards.cards_of(resident).await? {
                    if card.status != CardStatus::Ended {
                        self.cards
                            .set_status(
                                (card.number, "registry: death"),
                                &from,
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
}
