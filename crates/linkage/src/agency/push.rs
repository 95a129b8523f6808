//! Pushes through the hub: an agency's notices to residents (お知らせ, sealed to the portal)
//! and its data for another node (eligibility, PMH records); and, for nodes that receive
//! them, opening what the hub forwards.

use myna_link::{
    AgencyId, Delivery, Envelope, NoticeAck, NoticeForward, NoticeRequest, NoticeText, PORTAL_ID, PushKind, notice_aad,
    open_envelope, seal,
};
use serde::{Serialize, de::DeserializeOwned};

use super::{Agency, AgencyError, NoticeSend, NoticeSent, enrol::check_person};
use crate::wire::{now_secs, post_jws};

impl Agency {
    /// A notice to a resident, delivered by the portal at `deliver_at` (not before now).
    pub async fn notify(&self, r: &NoticeSend) -> Result<NoticeSent, AgencyError> {
        check_person(&r.person)?;
        let text = NoticeText { title: r.title.clone(), body: r.body.clone(), reply: r.reply.clone() };
        text.check().map_err(|e| AgencyError::invalid("notice", e))?;
        let now = now_secs();
        let deliver_at = r.deliver_at.unwrap_or(now).max(now);
        let portal: AgencyId = PORTAL_ID.parse().map_err(AgencyError::internal)?;
        let plain = serde_json::to_vec(&text).map_err(AgencyError::internal)?;
        let record = self.push(&r.person, &portal, PushKind::Notice, &plain, deliver_at).await?;
        Ok(NoticeSent { record, deliver_at })
    }

    /// Data about a person for another node (not a notice: those are [`Agency::notify`]).
    pub async fn push_data(
        &self,
        person: &str,
        to: &AgencyId,
        kind: PushKind,
        data: &serde_json::Value,
    ) -> Result<u64, AgencyError> {
        check_person(person)?;
        if kind == PushKind::Notice {
            return Err(AgencyError::invalid("kind", "notices are sent with POST /v1/notices"));
        }
        let plain = serde_json::to_vec(data).map_err(AgencyError::internal)?;
        self.push(person, to, kind, &plain, now_secs()).await
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
    ) -> Result<u64, AgencyError> {
        let code = self.code_of_person(person).await?;
        self.push_code(&code, to, kind, plain, deliver_at).await
    }

    /// [`Self::push`] to whoever the agency's `code` is.
    pub(super) async fn push_code(
        &self,
        code: &str,
        to: &AgencyId,
        kind: PushKind,
        plain: &[u8],
        deliver_at: i64,
    ) -> Result<u64, AgencyError> {
        let url = format!("{}/v1/agencies/{to}", self.config.hub_url);
        let dir: crate::hub::DirectoryEntry = myna_node::get_json(&self.client, &url)
            .await
            .map_err(|e| AgencyError::RecipientUnknown(format!("{to}'s key from the hub: {e}")))?;
        let id = myna_link::MessageId::random();
        let sealed = seal::seal(&dir.seal_key, plain, &notice_aad(&id, &self.id, to)).map_err(AgencyError::internal)?;
        let body = NoticeRequest {
            code: code.parse().map_err(AgencyError::internal)?,
            sealed,
            deliver_at,
            to: Some(to.clone()),
            kind,
        };
        let env = Envelope { id, from: self.id.clone(), to: self.hub.clone(), at: now_secs(), body };
        let jws = self.key.sign(&env).map_err(AgencyError::internal)?;
        let answer = post_jws(&self.client, &format!("{}/v1/notices", self.config.hub_url), jws).await?;
        let d: Envelope<Delivery> =
            open_envelope(&self.trust, &answer, &self.id, now_secs()).map_err(AgencyError::answer)?;
        if d.from != self.hub {
            return Err(AgencyError::answer("the answer is not from the hub"));
        }
        Ok(d.body.record)
    }

    /// Opens a message the hub sent to this node: signed by the hub, addressed here, fresh.
    pub fn open_from_hub<T: DeserializeOwned>(&self, jws: &str) -> Result<Envelope<T>, AgencyError> {
        let env: Envelope<T> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        if env.from != self.hub {
            return Err(AgencyError::NotFromHub);
        }
        Ok(env)
    }

    /// Opens a push the hub forwards to this node (JWS): the forward, and its payload unsealed
    /// (bound to the push's id, its sender and this node).
    pub fn open_push(&self, jws: &str) -> Result<(Envelope<NoticeForward>, Vec<u8>), AgencyError> {
        let env: Envelope<NoticeForward> = self.open_from_hub(jws)?;
        let f = &env.body;
        let plain = self
            .seal
            .open(&f.sealed, &notice_aad(&f.notice, &f.sender, &self.id))
            .map_err(|e| AgencyError::invalid("sealed", format!("the payload could not be opened: {e}")))?;
        Ok((env, plain))
    }

    /// The signed acknowledgement (JWS) of a push, once what it carried is stored.
    pub fn acknowledge(&self, push: &Envelope<NoticeForward>) -> Result<String, AgencyError> {
        self.sign_for(&push.from, NoticeAck { notice: push.body.notice.clone() })
    }

    /// Signs `body` to `to` as this node (compact JWS of an envelope).
    pub fn sign_for<T: Serialize>(&self, to: &AgencyId, body: T) -> Result<String, AgencyError> {
        self.sign(to, body).map(|(_, jws)| jws)
    }
}
