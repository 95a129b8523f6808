//! A link corrected after マイナンバー情報総点検 (`myna_link::LinkCorrection`): the exchanges an
//! agency made under its wrong link are marked in both people's records by a new entry each,
//! naming them. Nothing is rewritten: the log is append-only, and each person sees what
//! happened in their やりとり履歴.

use myna_link::{
    CORRECTION_MARKS_MAX, CorrectionLogged, Entry, Envelope, LINK_CORRECTION, LinkCorrection, Outcome, open_envelope,
};

use super::{Hub, HubError};
use crate::wire::{now_ms, now_secs};

impl Hub {
    /// Marks the exchanges made under an agency's wrong link, for both people. A retry of the
    /// same message answers what the first attempt recorded.
    pub async fn correct(&self, jws: &str) -> Result<Envelope<CorrectionLogged>, HubError> {
        let env: Envelope<LinkCorrection> = open_envelope(&self.trust, jws, &self.id, now_secs())?;
        let resolve = |code| self.codes.resolve(&env.from, code).map_err(|e| HubError::forbidden("refused", e));
        let (wrong, right) = (resolve(&env.body.wrong)?, resolve(&env.body.right)?);
        if wrong == right {
            return Err(HubError::invalid("right", "the right person is the one the link carried: nothing to correct"));
        }
        if env.body.right_entry == env.id {
            return Err(HubError::invalid("right_entry", "each person's entry needs an id of its own"));
        }
        let (wrong_tag, right_tag) = (self.subject(wrong), self.subject(right));
        let from = env.from.as_str();
        let (w, r) = (
            self.store.by_message(from, env.id.as_str()).await?,
            self.store.by_message(from, env.body.right_entry.as_str()).await?,
        );
        if let (Some(w), Some(r)) = (w, r) {
            let e: Entry = serde_json::from_str(w.entry.as_deref().unwrap_or_default())
                .map_err(|e| HubError::internal(format!("entry {}: {e}", w.index)))?;
            let logged = CorrectionLogged { marked: e.concerns, wrong_entry: w.index, right_entry: r.index };
            return Ok(self.envelope(&env.from, logged));
        }
        // The wrong person's exchanges that involved this agency, other than corrections.
        let rows = self.store.of_subject(&wrong_tag, CORRECTION_MARKS_MAX as u32).await?;
        let mut marked: Vec<u64> = rows
            .iter()
            .filter_map(|r| {
                let e: Entry = serde_json::from_str(r.entry.as_deref()?).ok()?;
                let involved = e.requester == env.from || e.provider == env.from;
                (involved && e.task != LINK_CORRECTION).then_some(r.index)
            })
            .collect();
        marked.sort_unstable();
        let n = marked.len();
        let entry = |message, subject, reason: String| Entry {
            at: now_ms(),
            message,
            requester: env.from.clone(),
            provider: env.from.clone(),
            task: LINK_CORRECTION.into(),
            item: LINK_CORRECTION.into(),
            outcome: Outcome::Delivered,
            reason: Some(reason),
            subject: Some(subject),
            concerns: marked.clone(),
        };
        let to_wrong = format!(
            "この機関の記録が誤ってあなたのマイナンバーに紐付けられていました。そのもとで行われた{n}件のやりとりは別の方の記録に関するものです（訂正済み） / This agency's record of another person was wrongly linked to your number; the {n} exchanges made under it concerned that person (corrected)"
        );
        let to_right = format!(
            "この機関のあなたの記録が誤って別の方のマイナンバーに紐付けられていました。そのもとで{n}件のやりとりが行われました（訂正済み） / This agency's record of you was wrongly linked to another person's number; {n} exchanges were made under it (corrected)"
        );
        let (wrong_entry, _) = self.log.append(entry(env.id.clone(), wrong_tag, to_wrong)).await?;
        let (right_entry, _) = self.log.append(entry(env.body.right_entry.clone(), right_tag, to_right)).await?;
        Ok(self.envelope(&env.from, CorrectionLogged { marked, wrong_entry, right_entry }))
    }
}
