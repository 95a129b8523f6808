//! J-LIS's part in code acquisition (符号取得): an agency sends J-LIS the individual number
//! (J-LIS holds it anyway); J-LIS derives the person's link id from the resident record code
//! and asks the hub for that agency's code. The hub never sees the number, the agency never
//! sees the link id.

use std::sync::Arc;

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::post};
use myna_link::{AgencyId, CodeIssued, CodeRequest, Enrolment, Envelope, NetworkTrust, NodeKey, open_envelope};
use myna_node::{ApiError, NodeIdentity, jose, post_jws};
use myna_number::{IndividualNumber, NumberIssuer};

use crate::Jlis;

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

    fn link_id(&self, record_code: u64) -> Result<u64, ApiError> {
        let digits = self.link_ids.code::<11>(LINK_TWEAK, record_code).map_err(ApiError::internal)?;
        Ok(digits.iter().fold(0u64, |v, d| v * 10 + u64::from(*d)))
    }
}

pub fn routes(jlis: Arc<Jlis>) -> Router {
    Router::new().route("/v1/linkage/codes", post(codes)).with_state(jlis)
}

use myna_node::now_secs as now;

/// An agency's request for its code for a person (JWS of Envelope<Enrolment>).
#[utoipa::path(post, path = "/v1/linkage/codes", request_body(content = String, content_type = "text/plain", description = "compact JWS of Envelope<Enrolment>, from an agency node (sent as application/jose; any text type is read)"),
    responses((status = 200, description = "JWS of Envelope<CodeIssued>"), (status = 401, description = "unsigned or not from the network"),
        (status = 403, description = "the sender is not an agency"), (status = 404, description = "no resident with that number"),
        (status = 422, description = "not an individual number"), (status = 502, description = "the hub could not be reached or refused"),
        (status = 503, description = "J-LIS is not connected to a hub")))]
pub async fn codes(State(j): State<Arc<Jlis>>, body: String) -> Result<Response, ApiError> {
    let Some(link) = j.linkage.get() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_hub",
            "this J-LIS node was started without a hub (--hub)",
        ));
    };
    let me = &link.id;
    let env: Envelope<Enrolment> = open_envelope(&link.trust, &body, me, now())
        .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, "rejected", e.to_string()))?;
    env.from.kind().map_err(|e| ApiError::new(StatusCode::FORBIDDEN, "not_an_agency", e.to_string()))?;
    let record_code = match &env.body {
        Enrolment::Number { number } => {
            let number: IndividualNumber =
                number.parse().map_err(|e| ApiError::unprocessable("number", format!("{e}")))?;
            let resident = j
                .registry
                .by_number(number)
                .await?
                .ok_or_else(|| ApiError::not_found("no resident has this individual number"))?;
            resident.code.value()
        }
        Enrolment::Certificate { user_auth_serial } => {
            // The portal (login) and the health node (a card registered for insurance use at a
            // facility's reader) know a resident only by the certificate the card presented.
            if !matches!(env.from.kind().ok(), Some(myna_link::AgencyKind::Portal | myna_link::AgencyKind::Health)) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "not_the_portal",
                    "only the portal and the health node enrol a resident by the certificate their card presented",
                ));
            }
            by_certificate(&j, user_auth_serial).await?
        }
    };
    let request = Envelope::new(
        me.clone(),
        link.hub.clone(),
        now(),
        CodeRequest { agency: env.from.clone(), link: link.link_id(record_code)? },
    );
    let jws = link.key.sign(&request).map_err(ApiError::internal)?;
    let text = post_jws(&link.client, &format!("{}/v1/codes", link.hub_url), jws)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "hub", format!("the hub: {e}")))?;
    let issued: Envelope<CodeIssued> = open_envelope(&link.trust, &text, me, now()).map_err(ApiError::internal)?;
    if issued.from != link.hub || issued.body.agency != env.from {
        return Err(ApiError::internal("the hub's answer is not for this request"));
    }
    let reply = Envelope::new(me.clone(), env.from, now(), issued.body);
    Ok(jose(link.key.sign(&reply).map_err(ApiError::internal)?))
}

/// The resident record code behind a current user-authentication certificate.
async fn by_certificate(j: &Jlis, serial: &str) -> Result<u64, ApiError> {
    let serial: myna_pki::Serial =
        serial.parse().map_err(|_| ApiError::unprocessable("user_auth_serial", "not a certificate serial number"))?;
    let cert = j
        .cards
        .certificate(serial)
        .await?
        .filter(|c| c.kind == myna_pki::CertKind::UserAuth)
        .ok_or_else(|| ApiError::not_found("J-LIS issued no user-authentication certificate with this serial"))?;
    if cert.revoked.is_some() || cert.not_after < now() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "certificate_not_current",
            "this certificate is revoked or expired",
        ));
    }
    let card = j.cards.card(cert.card).await.map_err(|e| ApiError::not_found(e.to_string()))?;
    Ok(card.resident)
}
