//! One query through the hub: check, translate, forward, record, answer. Every outcome the
//! requester can see (delivered, not held, refused, failed) is recorded in the log first.

use super::{Hub, HubError};
use crate::wire::{CallError, now_ms, now_secs, post_jws};
use myna_link::{AgencyId, Answer, Delivery, Entry, Envelope, Forward, LinkId, Outcome, Query, open_envelope};

/// What the requester is told, with the record that says so.
pub enum Handled {
    Delivered(Envelope<Delivery>),
    Refused { record: u64, reason: String },
    Failed { record: u64, reason: String },
}

struct Plan {
    provider_url: String,
    forward: Forward,
    subject: String,
    link: LinkId,
}

impl Hub {
    pub async fn query(&self, jws: &str) -> Result<Handled, HubError> {
        let now = now_secs();
        let env: Envelope<Query> = open_envelope(&self.trust, jws, &self.id, now)?;
        env.body.check_purpose().map_err(|e| HubError::invalid("purpose", e))?;
        self.layouts.fields(env.body.item, env.body.version).map_err(|e| HubError::invalid("layout", e))?;
        let key = (env.from.clone(), env.id.to_string());
        {
            let mut f = self.in_flight.lock().map_err(|_| HubError::internal("in-flight set poisoned"))?;
            if !f.insert(key.clone()) {
                return Err(HubError::InProgress);
            }
        }
        let out = self.query_once(&env).await;
        if let Ok(mut f) = self.in_flight.lock() {
            f.remove(&key);
        }
        out
    }

    async fn query_once(&self, env: &Envelope<Query>) -> Result<Handled, HubError> {
        let q = &env.body;
        let previous = self.store.by_message(env.from.as_str(), env.id.as_str()).await?;
        let mut planned = self.plan(env);
        // The portal asks only for a resident signed in (its self-information).
        if let Ok(plan) = &planned
            && env.from.kind().ok() == Some(myna_link::AgencyKind::Portal)
            && let Err(reason) = self.check_presence(&env.from, q.presence.as_ref(), plan.link).await
        {
            planned = Err((reason, Some(plan.subject.clone())));
        }
        let (plan, record) = match planned {
            Ok(plan) => (plan, previous),
            Err((reason, subject)) => {
                let record = match previous {
                    Some(r) => r.index,
                    None => self.record(env, Outcome::Refused, Some(reason.clone()), subject).await?.0,
                };
                return Ok(Handled::Refused { record, reason });
            }
        };
        if let Some(r) = &record {
            // A resend of an exchange already recorded: the same outcome, no second record.
            // Delivered ones are fetched again from the provider (the hub keeps no payload).
            let entry: Option<Entry> = r.entry.as_deref().and_then(|e| serde_json::from_str(e).ok());
            match entry.map(|e| e.outcome) {
                Some(Outcome::Delivered | Outcome::NotHeld) => {}
                _ => {
                    return Ok(Handled::Failed {
                        record: r.index,
                        reason: "this message already failed; send a new one".into(),
                    });
                }
            }
        }
        let forward_env = Envelope::new(self.id.clone(), q.provider.clone(), now_secs(), plan.forward.clone());
        let signed = self.key.sign(&forward_env).map_err(HubError::internal)?;
        let answered = post_jws(&self.client, &format!("{}/v1/provide", plan.provider_url), signed).await;
        let answer = match answered {
            Ok(text) => self.check_answer(env, &text),
            Err(CallError::Unreachable(_, why)) => {
                Err(format!("the provider {} could not be reached: {why}", q.provider))
            }
            Err(CallError::Refused { status, message, .. }) => {
                Err(format!("the provider {} refused ({status}): {message}", q.provider))
            }
        };
        let answer = match answer {
            Ok(a) => a,
            Err(reason) => {
                let index = match &record {
                    Some(r) => r.index,
                    None => self.record(env, Outcome::Failed, Some(reason.clone()), Some(plan.subject)).await?.0,
                };
                return Ok(Handled::Failed { record: index, reason });
            }
        };
        let outcome = match answer.1 {
            Answer::NotHeld { .. } => Outcome::NotHeld,
            Answer::Provided { .. } => Outcome::Delivered,
        };
        let (index, entry) = match record {
            Some(r) => (r.index, r.entry.unwrap_or_default()),
            None => self.record(env, outcome, None, Some(plan.subject)).await?,
        };
        let delivery = Delivery { record: index, entry, answer: answer.0 };
        Ok(Handled::Delivered(Envelope::new(self.id.clone(), env.from.clone(), now_secs(), delivery)))
    }

    /// Permission and translation: the forward to send, or why not (with the person's tag
    /// when known, so the refusal is listed for them).
    fn plan(&self, env: &Envelope<Query>) -> Result<Plan, (String, Option<String>)> {
        let q = &env.body;
        let requester_kind =
            env.from.kind().map_err(|e| (format!("the requester's id names no agency kind: {e}"), None))?;
        let provider_kind =
            q.provider.kind().map_err(|e| (format!("the provider's id names no agency kind: {e}"), None))?;
        let link: LinkId = self.codes.resolve(&env.from, &q.code).map_err(|e| (e.to_string(), None))?;
        let subject = self.subject(link);
        self.table
            .decide(requester_kind, &q.task, provider_kind, q.item)
            .map_err(|e| (e.to_string(), Some(subject.clone())))?;
        let requester = self.agency(&env.from).ok_or_else(|| {
            (format!("{} is not in the hub's directory: its node must register first", env.from), Some(subject.clone()))
        })?;
        let provider = self
            .agency(&q.provider)
            .ok_or_else(|| (format!("no agency {} is connected to the network", q.provider), Some(subject.clone())))?;
        let forward = Forward {
            query: env.id.clone(),
            requester: env.from.clone(),
            requester_key: requester.seal_key,
            task: q.task.clone(),
            item: q.item,
            version: q.version,
            code: self.codes.issue(&q.provider, link),
            purpose: q.purpose.clone(),
        };
        Ok(Plan { provider_url: provider.url, forward, subject, link })
    }

    /// The provider's signed answer, checked: from the provider, to the requester, about this
    /// query. Returns the JWS as received and the answer it carries.
    fn check_answer(&self, env: &Envelope<Query>, jws: &str) -> Result<(String, Answer), String> {
        let signed = self
            .trust
            .open::<Envelope<Answer>>(jws, now_secs())
            .map_err(|e| format!("the provider's answer was not accepted: {e}"))?;
        let a = signed.body;
        a.check(&signed.signer, &env.from, now_secs()).map_err(|e| format!("the provider's answer: {e}"))?;
        if signed.signer != env.body.provider || a.body.query() != &env.id {
            return Err("the answer is not from the asked provider about this query".into());
        }
        Ok((jws.to_string(), a.body))
    }

    async fn record(
        &self,
        env: &Envelope<Query>,
        outcome: Outcome,
        reason: Option<String>,
        subject: Option<String>,
    ) -> Result<(u64, String), HubError> {
        let entry = Entry {
            at: now_ms(),
            message: env.id.clone(),
            requester: env.from.clone(),
            provider: env.body.provider.clone(),
            task: env.body.task.to_string(),
            item: env.body.item.id().to_string(),
            outcome,
            reason,
            subject,
            concerns: vec![],
        };
        Ok(self.log.append(entry).await?)
    }

    /// J-LIS's request for an agency's code for a person.
    pub fn code_for(&self, agency: &AgencyId, link: u64) -> myna_link::AgencyCode {
        self.codes.issue(agency, LinkId(link))
    }
}
