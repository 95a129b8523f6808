//! What the log tells: a resident's records with their proofs (for the portal), and a
//! provider's receipts (受領確認) for the answers it gave.

use myna_link::{AgencyKind, Entry, Envelope, Logged, Receipt, ReceiptRequest, Receipts, merkle, open_envelope};

use super::{Hub, HubError, PersonRecords, PersonRequest, RecordView};
use crate::wire::now_secs;

/// Proof hashes as hex, as the wire carries them.
pub(super) fn hexes(p: Vec<[u8; 32]>) -> Vec<String> {
    p.iter().map(hex::encode).collect()
}

impl Hub {
    /// One resident's exchange records, newest first, each with its inclusion proof against
    /// the current signed head. Only the portal asks, with its own code for the resident.
    pub async fn person(&self, jws: &str) -> Result<Envelope<PersonRecords>, HubError> {
        let env: Envelope<PersonRequest> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        if env.from.kind().ok() != Some(AgencyKind::Portal) {
            return Err(HubError::forbidden("refused", "only the portal lists a resident's records, for the resident"));
        }
        let link = self.codes.resolve(&env.from, &env.body.code).map_err(|e| HubError::forbidden("refused", e))?;
        self.check_presence(&env.from, Some(&env.body.presence), link)
            .await
            .map_err(|e| HubError::forbidden("not_signed_in", e))?;
        let rows = self.store.of_subject(&self.subject(link), 1000).await?;
        let (records, h) = self
            .log
            .over_tiles(|t, h| {
                let size = h.head.size;
                let mut records = Vec::new();
                for r in rows.iter().filter(|r| r.index < size) {
                    let Some(entry) = &r.entry else { continue };
                    let proof = hexes(merkle::inclusion_of(t, r.index, size)?);
                    records.push(RecordView { index: r.index, entry: entry.clone(), proof });
                }
                Ok(records)
            })
            .await?;
        Ok(self.envelope(&env.from, PersonRecords { head: h.head, head_signed: h.jws, records }))
    }

    /// Which of a provider's answers the log holds, to correct its own record after the hub
    /// lost an exchange in flight. Only the provider of a logged exchange is told of it.
    pub async fn receipts(&self, jws: &str) -> Result<Envelope<Receipts>, HubError> {
        let env: Envelope<ReceiptRequest> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        if env.body.answers.len() > ReceiptRequest::MAX {
            let reason = format!("ask about at most {} answers at a time", ReceiptRequest::MAX);
            return Err(HubError::invalid("answers", reason));
        }
        let keys: Vec<(String, String)> =
            env.body.answers.iter().map(|a| (a.requester.to_string(), a.query.to_string())).collect();
        let mut rows = self.store.by_messages(&keys).await?;
        let mut out = Vec::with_capacity(env.body.answers.len());
        for (answer, key) in env.body.answers.into_iter().zip(keys) {
            let logged = rows.remove(&key).and_then(|r| {
                let entry: Entry = serde_json::from_str(r.entry.as_deref()?).ok()?;
                (entry.provider == env.from).then_some(Logged { index: r.index, outcome: entry.outcome })
            });
            out.push(Receipt { answer, logged });
        }
        Ok(self.envelope(&env.from, Receipts { receipts: out }))
    }
}
