//! マイナンバー情報総点検 at an agency: its records sent to J-LIS in batches, the ones linked
//! to another resident's number queued for a clerk, and each corrected (re-linked to the right
//! person through J-LIS; the exchanges made under the wrong link marked by the hub in both
//! people's records; both residents told) or dismissed with a reason.

use myna_link::{
    CorrectionLogged, Enrolment, Envelope, LinkCorrection, MessageId, NoticeText, PORTAL_ID, PushKind,
    inspection::{
        AgencyInspected, AgencyInspection, Corrected, Correction, Dismissal, HeldItems, INSPECTION_BATCH_MAX,
        InspectionRequest, InspectionResult, Suspect,
    },
    open_envelope,
};

use super::{Agency, AgencyError, enrol::check_person, suspects::Status};
use crate::wire::{now_secs, post_jws};

/// Suspects listed at most.
pub const SUSPECTS_MAX: u32 = 1_000;

impl Agency {
    /// Inspects up to [`INSPECTION_BATCH_MAX`] of the agency's records at J-LIS, and queues
    /// those J-LIS classes wrong (their number is another resident's) for a clerk.
    pub async fn inspect(&self, req: &AgencyInspection) -> Result<AgencyInspected, AgencyError> {
        if req.records.is_empty() || req.records.len() > INSPECTION_BATCH_MAX {
            return Err(AgencyError::invalid("records", format!("send 1 to {INSPECTION_BATCH_MAX} records a request")));
        }
        for (i, r) in req.records.iter().enumerate() {
            check_person(&r.person).map_err(|e| AgencyError::invalid("records", format!("[{i}]: {e}")))?;
        }
        let body = InspectionRequest {
            task: req.task.clone(),
            case: req.case.clone(),
            lines: req.records.iter().map(|r| r.line()).collect(),
        };
        let url = format!("{}/v1/inspection", self.config.jlis_url);
        let results: Vec<InspectionResult> = myna_node::post_json(&self.client, &url, &body).await?;
        if results.len() != req.records.len() || results.iter().enumerate().any(|(i, r)| r.line != i) {
            return Err(AgencyError::answer("J-LIS's classes are not one per record, in order"));
        }
        // One pass: the records J-LIS classed wrong, with the agency's items of each.
        let wrong: Vec<(&str, bool, HeldItems)> = req
            .records
            .iter()
            .zip(&results)
            .filter(|(_, c)| c.standing == "wrong")
            .map(|(r, c)| (r.person.as_str(), c.other_in_household, r.held()))
            .collect();
        let rows: Vec<(&str, &str, bool, &HeldItems)> =
            wrong.iter().map(|(p, swap, items)| (*p, req.case.as_str(), *swap, items)).collect();
        self.store.queue_suspects(&rows, now_secs()).await?;
        Ok(AgencyInspected { queued: rows.len(), results })
    }

    /// The queue: open suspects first, then those decided, newest first.
    pub async fn suspects(&self) -> Result<Vec<Suspect>, AgencyError> {
        Ok(self.store.suspects(SUSPECTS_MAX).await?.into_iter().map(|r| r.view).collect())
    }

    /// Corrects a suspect with the person's right number: J-LIS links it only if the agency's
    /// items of the person are that number's resident's; the record and its copies move to
    /// the right code; the hub marks the exchanges made under the wrong link for both people;
    /// both are told in the portal. Sent again after a failure, it finishes what was begun.
    pub async fn correct(&self, person: &str, c: &Correction, clerk: &str) -> Result<Corrected, AgencyError> {
        let row = self.store.suspect(person).await?.ok_or_else(|| not_queued(person))?;
        let (wrong, right, ids) = match (row.status, row.relink) {
            (Status::Open, _) => {
                let link = row.view.items.with_number(c.number.trim());
                let right = self.obtain_code(Enrolment::Items(link)).await?;
                let wrong = self.code_of_person(person).await?;
                if right == wrong {
                    return Err(AgencyError::invalid(
                        "number",
                        "this is the number the record already carries: dismiss the suspect if the link is right",
                    ));
                }
                let ids = [MessageId::random().as_str().to_string(), MessageId::random().as_str().to_string()];
                self.store.relink(person, &wrong, &right, &ids, clerk, now_secs()).await.map_err(|e| match e {
                    myna_store::StoreError::Conflict(reason) => AgencyError::Conflict { code: "not_relinked", reason },
                    e => e.into(),
                })?;
                (wrong, right, ids)
            }
            (Status::Relinked, Some(r)) => r,
            (status, _) => {
                let reason = format!("{person}'s suspect is already {}", status.as_str());
                return Err(AgencyError::Conflict { code: "closed", reason });
            }
        };
        let logged = self.tell_hub(&wrong, &right, &ids).await?;
        let n = logged.marked.len();
        let agency = self.config.name.clone();
        let to_wrong = NoticeText {
            title: "紐付けの訂正のお知らせ（別の方の記録）".into(),
            body: format!(
                "{agency}の記録のうち、別の方の記録が誤ってあなたのマイナンバーに紐付けられていたため、訂正しました。その紐付けのもとで行われた{n}件のやりとりは、やりとり履歴で「誤った紐付け」と表示されます。あなたの情報が変わったことはありません。"
            ),
            reply: None,
        };
        let to_right = NoticeText {
            title: "紐付けの訂正のお知らせ".into(),
            body: format!(
                "{agency}のあなたの記録が、誤って別の方のマイナンバーに紐付けられていたため、正しく紐付け直しました。その間に{n}件のやりとりが行われました。内容はやりとり履歴で確かめられます。ご不明な点は{agency}にお問い合わせください。"
            ),
            reply: None,
        };
        self.tell(&wrong, &to_wrong).await?;
        self.tell(&right, &to_right).await?;
        self.store.close_suspect(person, Status::Corrected, &format!("{n}"), clerk, now_secs()).await?;
        tracing::info!(%person, marked = n, "link corrected");
        Ok(Corrected { person: person.to_string(), code: right, marked: n })
    }

    /// Closes a suspect as right after all, with the clerk's reason.
    pub async fn dismiss(&self, person: &str, d: &Dismissal, clerk: &str) -> Result<(), AgencyError> {
        let reason = d.reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(AgencyError::invalid("reason", "say why the link is right (1–200 characters)"));
        }
        self.store.suspect(person).await?.ok_or_else(|| not_queued(person))?;
        if !self.store.close_suspect(person, Status::Dismissed, reason, clerk, now_secs()).await? {
            let reason = format!("{person}'s suspect is no longer open");
            return Err(AgencyError::Conflict { code: "closed", reason });
        }
        Ok(())
    }

    /// The hub's marking of the exchanges, by the ids kept with the re-link (a retry is
    /// answered what the first attempt recorded).
    async fn tell_hub(&self, wrong: &str, right: &str, ids: &[String; 2]) -> Result<CorrectionLogged, AgencyError> {
        let parse = |s: &str| s.parse::<MessageId>().map_err(AgencyError::internal);
        let body = LinkCorrection {
            wrong: wrong.parse().map_err(AgencyError::internal)?,
            right: right.parse().map_err(AgencyError::internal)?,
            right_entry: parse(&ids[1])?,
        };
        let env = Envelope { id: parse(&ids[0])?, from: self.id.clone(), to: self.hub.clone(), at: now_secs(), body };
        let jws = self.key.sign(&env).map_err(AgencyError::internal)?;
        let answer = post_jws(&self.client, &format!("{}/v1/corrections", self.config.hub_url), jws).await?;
        let logged: Envelope<CorrectionLogged> =
            open_envelope(&self.trust, &answer, &self.id, now_secs()).map_err(AgencyError::answer)?;
        if logged.from != self.hub {
            return Err(AgencyError::answer("the answer is not from the hub"));
        }
        Ok(logged.body)
    }

    /// A notice to whoever `code` is (not necessarily one of the agency's records now).
    async fn tell(&self, code: &str, text: &NoticeText) -> Result<u64, AgencyError> {
        let portal = PORTAL_ID.parse().map_err(AgencyError::internal)?;
        let plain = serde_json::to_vec(text).map_err(AgencyError::internal)?;
        self.push_code(code, &portal, PushKind::Notice, &plain, now_secs()).await
    }
}

fn not_queued(person: &str) -> AgencyError {
    AgencyError::NotQueued(person.to_string())
}
