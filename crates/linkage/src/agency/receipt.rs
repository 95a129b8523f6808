//! Receipts from the hub's log (受領確認). The hub logs an exchange before it passes the
//! provider's answer on, so an answer the log does not hold never reached the requester (the
//! hub was stopped in between). The provider asks about its answers once they are a minute
//! old and corrects its own record: the log's index and outcome, or `not_delivered`.

use std::{sync::Weak, time::Duration};

use myna_link::{AnsweredQuery, Envelope, ReceiptRequest, Receipts, clerk_api::ExchangeOutcome, open_envelope};

use super::{Agency, AgencyError};
use crate::wire::{now_ms, now_secs, post_jws};

/// How old an answer is before the hub is asked about it: well past the time the hub takes to
/// log an exchange once the provider has answered.
pub const RECEIPT_AFTER: Duration = Duration::from_secs(60);

impl Agency {
    /// Asks the hub about this node's answers older than `older_than` that its log has not
    /// confirmed; returns how many were settled.
    pub async fn reconcile(&self, older_than: Duration) -> Result<usize, AgencyError> {
        let before = now_ms() - i64::try_from(older_than.as_millis()).unwrap_or(i64::MAX);
        let rows = self.store.unconfirmed_answers(before, ReceiptRequest::MAX as u32).await?;
        // Rows are written from typed ids, so every one parses.
        let answers: Vec<AnsweredQuery> = rows
            .iter()
            .filter_map(|r| Some(AnsweredQuery { requester: r.peer.parse().ok()?, query: r.message.parse().ok()? }))
            .collect();
        if answers.is_empty() {
            return Ok(0);
        }
        let (_, jws) = self.sign(&self.hub, ReceiptRequest { answers })?;
        let text = post_jws(&self.client, &format!("{}/v1/log/receipts", self.config.hub_url), jws).await?;
        let env: Envelope<Receipts> =
            open_envelope(&self.trust, &text, &self.id, now_secs()).map_err(AgencyError::answer)?;
        if env.from != self.hub {
            return Err(AgencyError::Answer(format!("receipts signed by {}, not the hub", env.from)));
        }
        for r in &env.body.receipts {
            let message = r.answer.query.as_str();
            match r.logged {
                Some(l) => self.store.settle_answer(message, l.outcome.into(), Some(l.index)).await?,
                None => {
                    tracing::warn!(query = message, requester = %r.answer.requester, "an answer never reached the hub's log; recorded as not delivered");
                    self.store.settle_answer(message, ExchangeOutcome::NotDelivered, None).await?;
                }
            }
        }
        Ok(env.body.receipts.len())
    }
}

/// Reconciles every `every` while the agency lives.
pub(super) fn spawn(agency: Weak<Agency>, every: Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let Some(a) = agency.upgrade() else { break };
            if let Err(e) = a.reconcile(RECEIPT_AFTER).await {
                tracing::warn!(error = %e, "asking the hub for receipts; trying again later");
            }
        }
    });
}
