//! Pushes through the hub: an agency's notice to a resident, an insurer's eligibility or a
//! municipality's PMH record for the health node, the portal's card registration. The code is
//! translated to the recipient's, the payload forwarded sealed, and the push recorded in the
//! log like any exchange (so the resident sees who sent what about them, and when).

use super::{Hub, HubError, query::Handled};
use crate::wire::{CallError, now_ms, now_secs, post_jws};
use myna_link::{
    AgencyId, Delivery, Entry, Envelope, LinkId, NoticeAck, NoticeForward, NoticeRequest, Outcome, PORTAL_ID,
    open_envelope,
};

impl Hub {
    pub async fn notify(&self, jws: &str) -> Result<Handled, HubError> {
        let env: Envelope<NoticeRequest> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        let kind = env.from.kind().map_err(|e| HubError::invalid("agency_kind", e))?;
        let portal: AgencyId = match &env.body.to {
            Some(to) => to.clone(),
            None => PORTAL_ID.parse().map_err(HubError::internal)?,
        };
        let to_kind = portal.kind().map_err(|e| HubError::invalid("to", e))?;
        let push = env.body.kind;
        push.allowed(kind, to_kind).map_err(|e| HubError::forbidden("not_permitted", e))?;
        let what = if push == myna_link::PushKind::Notice { "the portal" } else { "the recipient" };
        let link: LinkId =
            self.codes.resolve(&env.from, &env.body.code).map_err(|e| HubError::forbidden("refused", e))?;
        let subject = self.subject(link);
        let previous = self.store.by_message(env.from.as_str(), env.id.as_str()).await?;
        let forward = NoticeForward {
            notice: env.id.clone(),
            sender: env.from.clone(),
            code: self.codes.issue(&portal, link),
            sealed: env.body.sealed.clone(),
            deliver_at: env.body.deliver_at,
            kind: push,
        };
        let sent = match self.agency(&portal) {
            None => Err(format!("{what} ({portal}) is not connected to the network")),
            Some(p) => {
                let signed = self
                    .key
                    .sign(&Envelope::new(self.id.clone(), portal.clone(), now_secs(), forward))
                    .map_err(HubError::internal)?;
                match post_jws(&self.client, &format!("{}/v1/inbox", p.url), signed).await {
                    Ok(text) => self.check_ack(&env, &portal, &text),
                    Err(CallError::Unreachable(_, why)) => Err(format!("{what} could not be reached: {why}")),
                    Err(CallError::Refused { status, message, .. }) => {
                        Err(format!("{what} refused ({status}): {message}"))
                    }
                }
            }
        };
        let (outcome, reason) = match &sent {
            Ok(_) => (Outcome::Delivered, None),
            Err(why) => (Outcome::Failed, Some(why.clone())),
        };
        let (record, entry) = match previous {
            Some(r) => (r.index, r.entry.unwrap_or_default()),
            None => {
                let entry = Entry {
                    at: now_ms(),
                    message: env.id.clone(),
                    requester: env.from.clone(),
                    provider: portal.clone(),
                    task: push.task().into(),
                    item: push.id().into(),
                    outcome,
                    reason,
                    subject: Some(subject),
                    concerns: vec![],
                };
                self.log.append(entry).await?
            }
        };
        match sent {
            Ok(ack) => Ok(Handled::Delivered(Envelope::new(
                self.id.clone(),
                env.from,
                now_secs(),
                Delivery { record, entry, answer: ack },
            ))),
            Err(reason) => Ok(Handled::Failed { record, reason }),
        }
    }

    fn check_ack(&self, env: &Envelope<NoticeRequest>, portal: &AgencyId, jws: &str) -> Result<String, String> {
        let signed = self
            .trust
            .open::<Envelope<NoticeAck>>(jws, now_secs())
            .map_err(|e| format!("the recipient's answer was not accepted: {e}"))?;
        signed.body.check(&signed.signer, &self.id, now_secs()).map_err(|e| format!("the recipient's answer: {e}"))?;
        if &signed.signer != portal || signed.body.body.notice != env.id {
            return Err("the answer is not the recipient's about this message".into());
        }
        Ok(jws.to_string())
    }
}
