//! J-LIS's part in code acquisition (符号取得): an agency sends J-LIS the individual number
//! with its own 4 items of the person (J-LIS holds the number anyway, and links it only if
//! the items are its resident's); J-LIS derives the person's link id from the resident record code
//! and asks the hub for that agency's code. The hub never sees the number, the agency never
//! sees the link id.

use myna_link::{
    AgencyId, AgencyKind, CODE_BATCH_MAX, CodeIssued, CodeRequest, CodeRequestBatch, CodesIssued, Enrolment,
    EnrolmentBatch, Envelope, LineRefused, LinkItems, NetworkTrust, NodeKey, open_envelope,
};
use myna_node::{NodeIdentity, post_jws};
use myna_number::{IndividualNumber, NumberIssuer};
use myna_registry::Resident;

use crate::{Jlis, JlisError};

const LINK_TWEAK: &[u8] = b"myna/link-id";

/// What J-LIS needs to take part in the linkage network.
pub struct Linkage {
    key: NodeKey,
    trust: NetworkTrust,
    client: reqwest::Client,
    hub_url: String,
    /// J-LIS's own id on the network (its certificate's name).
    id: AgencyId,
    hub: AgencyId,
    /// A keyed permutation of record codes: distinct residents get distinct link ids.
    link_ids: NumberIssuer,
}

impl Linkage {
    /// A client with J-LIS's network certificate (mutual TLS).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn new(identity: &NodeIdentity, hub_url: &str, link_key: &[u8; 32]) -> Result<Self, String> {
        let key = NodeKey::from_pem(&identity.cert_pem, &identity.key_pem).map_err(|e| e.to_string())?;
        Ok(Self {
            id: key.id().clone(),
            key,
            trust: NetworkTrust::from_ca_pem(&identity.ca_pem).map_err(|e| e.to_string())?,
            client: identity.client().map_err(|e| e.to_string())?,
            hub_url: hub_url.trim_end_matches('/').to_string(),
            hub: "hub".parse().map_err(|e: myna_link::CodeError| e.to_string())?,
            link_ids: NumberIssuer::new(link_key).map_err(|e| e.to_string())?,
        })
    }

    pub(crate) fn link_id(&self, record_code: u64) -> Result<u64, JlisError> {
        let digits = self.link_ids.code::<11>(LINK_TWEAK, record_code).map_err(JlisError::internal)?;
        Ok(digits.iter().fold(0u64, |v, d| v * 10 + u64::from(*d)))
    }
}

use myna_node::now_secs as now;

impl Linkage {
    /// An agency's signed request to J-LIS, opened: signed by a network member whose name is an
    /// agency kind, meant for J-LIS, fresh.
    fn open_request<T: serde::de::DeserializeOwned>(&self, jws: &str) -> Result<Envelope<T>, JlisError> {
        let env: Envelope<T> =
            open_envelope(&self.trust, jws, &self.id, now()).map_err(|e| JlisError::Rejected(e.to_string()))?;
        env.from.kind().map_err(|e| JlisError::forbidden("not_an_agency", e))?;
        Ok(env)
    }

    /// Sends `body` to the hub's `path`, signed by J-LIS, and opens the hub's signed answer.
    async fn ask_hub<B: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: B,
    ) -> Result<A, JlisError> {
        let request = Envelope::new(self.id.clone(), self.hub.clone(), now(), body);
        let jws = self.key.sign(&request).map_err(JlisError::internal)?;
        let text = post_jws(&self.client, &format!("{}{path}", self.hub_url), jws)
            .await
            .map_err(|e| JlisError::Hub(e.to_string()))?;
        let answer: Envelope<A> = open_envelope(&self.trust, &text, &self.id, now()).map_err(JlisError::internal)?;
        if answer.from != self.hub {
            return Err(JlisError::internal("the hub's answer is not from the hub"));
        }
        Ok(answer.body)
    }

    /// J-LIS's signed answer to `to`.
    fn reply<B: serde::Serialize>(&self, to: AgencyId, body: B) -> Result<String, JlisError> {
        self.key.sign(&Envelope::new(self.id.clone(), to, now(), body)).map_err(JlisError::internal)
    }
}

impl Jlis {
    /// An agency's request for its code for a person (JWS of `Envelope<Enrolment>`): the
    /// resident found by number, or by the certificate their card presented (the portal and
    /// the health node only), the code obtained from the hub; answers the signed reply (JWS).
    pub async fn issue_agency_code(&self, jws: &str) -> Result<String, JlisError> {
        let link = self.linkage.get().ok_or(JlisError::NoHub)?;
        let env: Envelope<Enrolment> = link.open_request(jws)?;
        let record_code = match &env.body {
            Enrolment::NumberOnly { .. } => {
                return Err(JlisError::invalid(
                    "items",
                    "a number alone is not linked: send it with the name, date of birth, sex (if held) and address you hold of the person, which J-LIS checks are the number's resident's (not linked)",
                ));
            }
            Enrolment::Items(items) => {
                let number = parse_number(items).map_err(|e| JlisError::invalid("number", e))?;
                let resident = self.registry.by_number(number).await?;
                match items_agree(items, resident, myna_node::today_jst()) {
                    Ok(r) => r.code.value(),
                    Err(Disagree::NoResident) => {
                        return Err(JlisError::NotFound("no resident has this individual number".into()));
                    }
                    Err(Disagree::Items(why)) => return Err(JlisError::invalid("items", why)),
                }
            }
            Enrolment::Certificate { user_auth_serial } => {
                // The portal (login) and the health node (a card registered for insurance use
                // at a facility's reader) know a resident only by the certificate the card
                // presented.
                if !matches!(env.from.kind().ok(), Some(AgencyKind::Portal | AgencyKind::Health)) {
                    let reason =
                        "only the portal and the health node enrol a resident by the certificate their card presented";
                    return Err(JlisError::forbidden("not_the_portal", reason));
                }
                self.by_certificate(user_auth_serial).await?
            }
            Enrolment::Signed(signed) => {
                // A municipality's moving desk names the signer of a move application the same way.
                // The qualification system names an applicant by their signed application.
                if !matches!(
                    env.from.kind().ok(),
                    Some(
                        AgencyKind::AccountRegistry
                            | AgencyKind::DepositInsurance
                            | AgencyKind::Municipality
                            | AgencyKind::Qualifications
                    )
                ) {
                    let reason = "only the account registry, 預金保険機構, municipalities and the qualification system enrol a resident by their signed request";
                    return Err(JlisError::forbidden("not_the_registry", reason));
                }
                self.by_signature(signed).await?
            }
        };
        let request = CodeRequest { agency: env.from.clone(), link: link.link_id(record_code)? };
        let mut issued: CodeIssued = link.ask_hub("/v1/codes", request).await?;
        if issued.agency != env.from {
            return Err(JlisError::internal("the hub's answer is not for this request"));
        }
        // The account registry checks a holder's name against the registered reading
        // (口座登録法: the Digital Agency receives 本人確認情報 from J-LIS); no one else gets it.
        // 預金保険機構 names the person to banks by number and birth date (預貯金口座管理法), and
        // answers heirs only about the dead; no one else gets these.
        let kind = env.from.kind().ok();
        // The qualification system takes the applicant's 本人確認情報 (住民基本台帳法 別表: the
        // qualifications' registration), instead of 戸籍抄本 and 住民票.
        if kind == Some(AgencyKind::Qualifications) {
            let resident = self.registry.resident(crate::jpki::stored_code(record_code)?).await?;
            issued.identity = resident.as_ref().map(crate::inspection::identity);
            // Given before it is answered, where the resident sees it (本人確認情報の提供状況).
            let caller = crate::Caller::Other(env.from.clone());
            self.log_access(&caller, &[record_code], "identity", myna_link::QUALIFICATION_TASK, "").await?;
        }
        if matches!(kind, Some(AgencyKind::AccountRegistry | AgencyKind::DepositInsurance)) {
            let resident = self.registry.resident(crate::jpki::stored_code(record_code)?).await?;
            if kind == Some(AgencyKind::DepositInsurance) {
                issued.facts = resident.as_ref().map(|r| myna_link::PersonFacts {
                    number: format!("{:012}", r.number.value()),
                    birth: r.birth.to_string(),
                    deceased: matches!(r.status, myna_registry::Status::Deceased { .. }),
                });
            }
            issued.reading = resident.map(|r| r.name.kana);
        }
        link.reply(env.from, issued)
    }

    /// The resident record code of whoever signed `s` with a good signing certificate.
    pub(crate) async fn by_signature(&self, s: &myna_link::SignedInstruction) -> Result<u64, JlisError> {
        let check = crate::cards_api::SignatureCheckRequest {
            certificate: s.certificate.clone(),
            message: s.message.clone(),
            signature: s.signature.clone(),
            purpose: "sign".into(),
            same_card_as: None,
        };
        let v = self.check_signature(&check).await?;
        if !v.valid {
            let why = v.reason.unwrap_or_default();
            return Err(JlisError::forbidden("signature_refused", format!("the signature was not accepted: {why}")));
        }
        let serial: myna_pki::Serial = v
            .serial
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|_| JlisError::internal("the checked certificate has no serial"))?;
        let cert = self
            .cards
            .certificate(serial)
            .await?
            .ok_or_else(|| JlisError::NotFound("J-LIS issued no signing certificate with this serial".into()))?;
        Ok(self.cards.card(cert.card).await?.resident)
    }

    /// [`Self::issue_agency_code`] for many people at once (JWS of `Envelope<EnrolmentBatch>`):
    /// one lookup of all the numbers, each line's items checked against its resident, one
    /// request to the hub; a line that is not linked gets no code and the reason.
    pub async fn issue_agency_codes(&self, jws: &str) -> Result<String, JlisError> {
        let link = self.linkage.get().ok_or(JlisError::NoHub)?;
        let env: Envelope<EnrolmentBatch> = link.open_request(jws)?;
        let people = &env.body.people;
        if people.len() > CODE_BATCH_MAX {
            return Err(JlisError::invalid("people", format!("at most {CODE_BATCH_MAX} a batch")));
        }
        let mut refused = Vec::new();
        let mut numbers = Vec::with_capacity(people.len());
        for (line, p) in people.iter().enumerate() {
            match parse_number(p) {
                Ok(n) => numbers.push(Some(n)),
                Err(e) => {
                    refused.push(LineRefused { line, reason: format!("number: {e}") });
                    numbers.push(None);
                }
            }
        }
        let wanted: Vec<IndividualNumber> = numbers.iter().flatten().copied().collect();
        let found = self.registry.residents_of(&wanted).await?;
        let today = myna_node::today_jst();
        let mut held: Vec<(usize, u64)> = Vec::with_capacity(people.len());
        for (line, (p, n)) in people.iter().zip(&numbers).enumerate() {
            let Some(n) = n else { continue };
            match items_agree(p, found.get(&n.value()).cloned(), today) {
                Ok(r) => held.push((line, r.code.value())),
                Err(Disagree::NoResident) => {
                    refused.push(LineRefused { line, reason: "no resident has this individual number".into() })
                }
                Err(Disagree::Items(reason)) => refused.push(LineRefused { line, reason }),
            }
        }
        refused.sort_by_key(|r| r.line);
        let links = held.iter().map(|&(_, code)| link.link_id(code)).collect::<Result<Vec<u64>, _>>()?;
        let issued: CodesIssued =
            link.ask_hub("/v1/codes/batch", CodeRequestBatch { agency: env.from.clone(), links }).await?;
        if issued.agency != env.from || issued.codes.len() != held.len() {
            return Err(JlisError::internal("the hub's answer is not for this request"));
        }
        let mut codes = vec![None; people.len()];
        for ((i, _), code) in held.iter().zip(issued.codes) {
            if let Some(slot) = codes.get_mut(*i) {
                *slot = code;
            }
        }
        link.reply(env.from.clone(), CodesIssued { agency: env.from, codes, refused })
    }

    /// The resident record code behind a current user-authentication certificate.
    pub(crate) async fn by_certificate(&self, serial: &str) -> Result<u64, JlisError> {
        let serial: myna_pki::Serial =
            serial.parse().map_err(|_| JlisError::invalid("user_auth_serial", "not a certificate serial number"))?;
        let cert =
            self.cards.certificate(serial).await?.filter(|c| c.kind == myna_pki::CertKind::UserAuth).ok_or_else(
                || JlisError::NotFound("J-LIS issued no user-authentication certificate with this serial".into()),
            )?;
        if cert.revoked.is_some() || cert.not_after < now() {
            return Err(JlisError::forbidden("certificate_not_current", "this certificate is revoked or expired"));
        }
        Ok(self.cards.card(cert.card).await?.resident)
    }
}

fn parse_number(items: &LinkItems) -> Result<IndividualNumber, String> {
    items.number.parse().map_err(|e: myna_number::NumberError| e.to_string())
}

/// Why a number was not linked with the items sent.
enum Disagree {
    NoResident,
    Items(String),
}

/// The number's resident, if the agency's 4 items are theirs (3 without sex; old character
/// forms and address notations fold together); else which item differs.
fn items_agree(items: &LinkItems, resident: Option<Resident>, today: time::Date) -> Result<Resident, Disagree> {
    let q = myna_registry::LookupQuery::new(
        Some(&items.name),
        Some(&items.birth),
        items.sex.as_deref(),
        Some(&items.address),
        today,
    )
    .map_err(|e| Disagree::Items(format!("items: {e}")))?;
    let resident = resident.ok_or(Disagree::NoResident)?;
    match q.differs(&resident) {
        None => Ok(resident),
        Some(item) => Err(Disagree::Items(format!(
            "the {item} you hold is not that of this number's resident: check the number and the 4 items before linking (not linked)"
        ))),
    }
}
