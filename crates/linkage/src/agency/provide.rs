//! Answering the hub (情報提供): only forwards signed by the hub, only from the copy kept for
//! the code the hub gave, checked against the layout, sealed to the requester.

use myna_link::{
    Answer, Envelope, Forward, Version,
    clerk_api::{ExchangeOutcome, ExchangeRole},
    payload_aad, seal,
};

use super::{Agency, AgencyError, ExchangeRow};

impl Agency {
    /// The hub's forward of a permitted query (JWS); answers the signed answer (JWS),
    /// addressed to the requester, once it is in this agency's record.
    pub async fn provide(&self, jws: &str) -> Result<String, AgencyError> {
        let env: Envelope<Forward> = self.open_from_hub(jws)?;
        let f = &env.body;
        let code = f.code.to_string();
        let copy = match self.source.get().filter(|s| s.handles(f.item)) {
            Some(source) => {
                source.copy(&code, f.item).await.map_err(AgencyError::Internal)?.map(|(v, text)| (v.to_string(), text))
            }
            None => self.store.copy(&code, f.item.id()).await?,
        };
        let answer = match copy {
            None => Answer::NotHeld { query: f.query.clone() },
            Some((version, text)) => {
                let held: Version = version.parse().map_err(AgencyError::internal)?;
                self.layouts.compatible(f.item, f.version, held).map_err(|e| AgencyError::Conflict {
                    code: "layout_version",
                    reason: format!("{e}; this agency holds {held}"),
                })?;
                let value: serde_json::Value = serde_json::from_str(&text).map_err(AgencyError::internal)?;
                // A copy is checked when registered; checked again so a layout change is
                // caught here rather than by the requester.
                self.layouts
                    .validate(f.item, held, &value)
                    .map_err(|e| AgencyError::Conflict { code: "copy_invalid", reason: e.to_string() })?;
                let aad = payload_aad(&f.query, &f.requester, &self.id, &f.task, f.item);
                let sealed = seal::seal(&f.requester_key, text.as_bytes(), &aad)
                    .map_err(|e| AgencyError::invalid("requester_key", e))?;
                Answer::Provided { query: f.query.clone(), version: held, sealed }
            }
        };
        let outcome = match answer {
            Answer::Provided { .. } => ExchangeOutcome::Delivered,
            Answer::NotHeld { .. } => ExchangeOutcome::NotHeld,
        };
        self.store
            .record(&ExchangeRow {
                message: f.query.to_string(),
                role: ExchangeRole::Answered,
                peer: f.requester.to_string(),
                task: f.task.to_string(),
                item: f.item.id().into(),
                code,
                outcome,
                record: None,
                at: crate::now_ms(),
                staff: None,
            })
            .await?;
        Ok(self.sign(&f.requester, answer)?.1)
    }
}
