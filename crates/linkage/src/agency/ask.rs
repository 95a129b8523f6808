//! An agency's query through the hub (情報照会): sent signed, the hub's delivery and the
//! provider's sealed answer checked and opened, the exchange kept in the agency's own record.

use myna_link::{
    Answer, Delivery, Envelope, Outcome, Query, clerk_api::ExchangeOutcome, clerk_api::ExchangeRole, open_envelope,
    payload_aad,
};

use super::{Agency, AgencyError, ExchangeRow, QueryRequest, QueryResult};
use crate::wire::{CallError, now_ms, now_secs, post_jws};

impl Agency {
    /// One query through the hub, as the clerk API and the load generator run it. A refusal
    /// or a provider's failure comes back as [`AgencyError::Call`] with the hub's status and
    /// reason (naming its record in the log), and is kept in the agency's record too.
    pub async fn ask(&self, r: &QueryRequest) -> Result<QueryResult, AgencyError> {
        self.ask_as(r, None).await
    }

    /// [`Self::ask`] on behalf of a member of staff (`staff`, their account), who is named in
    /// the agency's record of the exchange.
    pub async fn ask_as(&self, r: &QueryRequest, staff: Option<&str>) -> Result<QueryResult, AgencyError> {
        let code = self.code_of_person(&r.person).await?;
        let version = match r.version {
            Some(v) => v,
            None => self.layouts.latest(r.item).ok_or_else(|| AgencyError::invalid("item", "no layout"))?,
        };
        let q = Query {
            task: r.task.clone(),
            item: r.item,
            version,
            provider: r.provider.clone(),
            code: code.parse().map_err(AgencyError::internal)?,
            purpose: r.purpose.clone(),
            presence: r.presence.clone(),
        };
        q.check_purpose().map_err(|e| AgencyError::invalid("purpose", e))?;
        let (id, jws) = self.sign(&self.hub, q)?;
        let mut row = ExchangeRow {
            message: id.to_string(),
            role: ExchangeRole::Asked,
            peer: r.provider.to_string(),
            task: r.task.to_string(),
            item: r.item.id().into(),
            code,
            outcome: ExchangeOutcome::Failed,
            record: None,
            at: now_ms(),
            staff: staff.map(str::to_owned),
        };
        let answer = match post_jws(&self.client, &format!("{}/v1/query", self.config.hub_url), jws).await {
            Ok(text) => text,
            Err(e) => {
                if matches!(&e, CallError::Refused { code, .. } if code == "refused") {
                    row.outcome = ExchangeOutcome::Refused;
                }
                self.store.record(&row).await?;
                return Err(e.into());
            }
        };
        let delivery: Envelope<Delivery> = open_envelope(&self.trust, &answer, &self.id, now_secs())
            .map_err(|e| AgencyError::answer(format!("the hub's answer: {e}")))?;
        if delivery.from != self.hub {
            return Err(AgencyError::answer("the delivery is not from the hub"));
        }
        let d = delivery.body;
        let inner: Envelope<Answer> = open_envelope(&self.trust, &d.answer, &self.id, now_secs())
            .map_err(|e| AgencyError::answer(format!("the provider's answer: {e}")))?;
        if inner.from != r.provider || inner.body.query() != &id {
            return Err(AgencyError::answer("the answer is not from the asked provider about this query"));
        }
        let (outcome, version, data) = match inner.body {
            Answer::NotHeld { .. } => (Outcome::NotHeld, None, None),
            Answer::Provided { version: held, sealed, .. } => {
                let aad = payload_aad(&id, &self.id, &r.provider, &r.task, r.item);
                let plain = self.seal.open(&sealed, &aad).map_err(AgencyError::answer)?;
                let value: serde_json::Value =
                    serde_json::from_slice(&plain).map_err(|e| AgencyError::answer(format!("the payload: {e}")))?;
                self.layouts.compatible(r.item, version, held).map_err(AgencyError::answer)?;
                self.layouts.validate(r.item, held, &value).map_err(AgencyError::answer)?;
                (Outcome::Delivered, Some(held), Some(value))
            }
        };
        row.outcome = outcome.into();
        row.record = Some(d.record);
        self.store.record(&row).await?;
        Ok(QueryResult { outcome, record: d.record, entry: d.entry, provider: r.provider.clone(), version, data })
    }
}
