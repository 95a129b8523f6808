//! An agency's notices to residents (お知らせ), sent through the hub to the portal, sealed to
//! the portal's key; and, for the portal's own node, opening what the hub forwards.

use std::sync::Arc;

use axum::{Json, Router, extract::State, http::StatusCode, routing::post};
use myna_link::{
    AgencyId, Delivery, Envelope, NoticeRequest, NoticeText, PORTAL_ID, PushKind, notice_aad, open_envelope, seal,
};
use myna_node::{ApiError, ApiJson};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::ToSchema;

use super::{
    Agency,
    clerk::{call_error, check_person, clerk},
};
use crate::wire::{now_secs, post_jws, rejected};

pub fn routes(agency: Arc<Agency>) -> Router {
    Router::new()
        .route("/v1/notices", post(send))
        .route("/v1/pushes", post(push))
        // The clerk's token is checked before a request's body is read.
        .route_layer(axum::middleware::from_fn_with_state(
            (agency.clone(), clerk as myna_node::HeaderCheck<_>),
            myna_node::check_caller,
        ))
        .with_state(agency)
}

/// What a clerk's system pushes to another agency's node about a person.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct PushSend {
    /// The agency's own reference for the resident (enrolled).
    pub person: String,
    /// The recipient's id on the network (e.g. `health`).
    pub to: String,
    /// eligibility, pmh (the hub checks who may push what to whom).
    #[schema(value_type = String)]
    pub kind: PushKind,
    /// The payload, as the recipient defines it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct PushSent {
    /// The hub's log index of this push.
    pub record: u64,
}

/// Pushes data about a person to another agency's node through the hub (an insurer's
/// eligibility to the health node, a municipality's PMH record).
#[utoipa::path(post, path = "/v1/pushes", request_body = PushSend,
    responses((status = 200, body = PushSent), (status = 403, description = "this agency may not push this kind to that recipient"), (status = 404, description = "person not enrolled"),
        (status = 502, description = "the recipient refused (the reason is passed on) or the hub failed")))]
async fn push(State(a): State<Arc<Agency>>, ApiJson(r): ApiJson<PushSend>) -> Result<Json<PushSent>, ApiError> {
    check_person(&r.person)?;
    let to: AgencyId = r.to.parse().map_err(|e: myna_link::CodeError| ApiError::unprocessable("to", e.to_string()))?;
    if r.kind == PushKind::Notice {
        return Err(ApiError::unprocessable("kind", "notices are sent with POST /v1/notices"));
    }
    let plain = serde_json::to_vec(&r.data).map_err(ApiError::internal)?;
    let record = a.push(&r.person, &to, r.kind, &plain, now_secs()).await?;
    Ok(Json(PushSent { record }))
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct NoticeSend {
    /// The agency's own reference for the resident (enrolled).
    pub person: String,
    pub title: String,
    pub body: String,
    /// When the resident is to see it (seconds since the epoch; default now). Notices tied
    /// to a life event (e.g. the child-allowance status report each June) are scheduled so.
    #[serde(default)]
    pub deliver_at: Option<i64>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct NoticeSent {
    /// The hub's log index of this notice.
    pub record: u64,
    pub deliver_at: i64,
}

/// Sends a notice to a resident through the hub; the portal keeps it for them.
#[utoipa::path(post, path = "/v1/notices", request_body = NoticeSend,
    responses((status = 200, body = NoticeSent), (status = 404, description = "person not enrolled"), (status = 422, description = "empty or oversized"), (status = 502, description = "the portal or hub failed")))]
async fn send(State(a): State<Arc<Agency>>, ApiJson(r): ApiJson<NoticeSend>) -> Result<Json<NoticeSent>, ApiError> {
    Ok(Json(a.notify(&r).await?))
}

impl Agency {
    pub async fn notify(&self, r: &NoticeSend) -> Result<NoticeSent, ApiError> {
        check_person(&r.person)?;
        let text = NoticeText { title: r.title.clone(), body: r.body.clone() };
        text.check().map_err(|e| ApiError::unprocessable("notice", e))?;
        let now = now_secs();
        let deliver_at = r.deliver_at.unwrap_or(now).max(now);
        let portal: AgencyId = PORTAL_ID.parse().map_err(ApiError::internal)?;
        let plain = serde_json::to_vec(&text).map_err(ApiError::internal)?;
        let record = self.push(&r.person, &portal, PushKind::Notice, &plain, deliver_at).await?;
        Ok(NoticeSent { record, deliver_at })
    }

    /// Pushes `plain` about a person to the agency `to`, through the hub: sealed to the
    /// recipient's key (from the hub's directory), the person named by this agency's code.
    /// Answers the hub's log index once the recipient has stored it.
    pub async fn push(
        &self,
        person: &str,
        to: &AgencyId,
        kind: PushKind,
        plain: &[u8],
        deliver_at: i64,
    ) -> Result<u64, ApiError> {
        let code = self.code_of_person(person).await?;
        let dir: crate::hub::DirectoryEntry = self
            .client
            .get(format!("{}/v1/agencies/{to}", self.config.hub_url))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| {
                ApiError::new(StatusCode::BAD_GATEWAY, "recipient_unknown", format!("{to}'s key from the hub: {e}"))
            })?
            .json()
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "recipient_unknown", e.to_string()))?;
        let id = myna_link::MessageId::random();
        let sealed = seal::seal(&dir.seal_key, plain, &notice_aad(&id, &self.id, to)).map_err(ApiError::internal)?;
        let body = NoticeRequest {
            code: code.parse().map_err(ApiError::internal)?,
            sealed,
            deliver_at,
            to: Some(to.clone()),
            kind,
        };
        let env = Envelope { id, from: self.id.clone(), to: self.hub.clone(), at: now_secs(), body };
        let jws = self.key.sign(&env).map_err(ApiError::internal)?;
        let answer =
            post_jws(&self.client, &format!("{}/v1/notices", self.config.hub_url), jws).await.map_err(call_error)?;
        let d: Envelope<Delivery> = open_envelope(&self.trust, &answer, &self.id, now_secs())
            .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "bad_answer", e.to_string()))?;
        if d.from != self.hub {
            return Err(ApiError::new(StatusCode::BAD_GATEWAY, "bad_answer", "the answer is not from the hub"));
        }
        Ok(d.body.record)
    }

    /// Opens a message the hub sent to this node: signed by the hub, addressed here, fresh.
    pub fn open_from_hub<T: DeserializeOwned>(&self, jws: &str) -> Result<Envelope<T>, ApiError> {
        let env: Envelope<T> = open_envelope(&self.trust, jws, &self.id, now_secs()).map_err(rejected)?;
        if env.from != self.hub {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "not_hub", "only the hub sends this"));
        }
        Ok(env)
    }

    /// Opens a payload sealed to this node.
    pub fn open_sealed(&self, sealed: &seal::Sealed, aad: &[u8]) -> Result<Vec<u8>, seal::SealError> {
        self.seal.open(sealed, aad)
    }

    /// Signs `body` to `to` as this node (compact JWS of an envelope).
    pub fn sign_for<T: Serialize>(&self, to: &AgencyId, body: T) -> Result<String, ApiError> {
        self.sign(to, body).map(|(_, jws)| jws).map_err(ApiError::internal)
    }
}
