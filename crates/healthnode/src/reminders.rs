//! Vaccination reminders (接種勧奨): for each child whose routine vaccination is now due and
//! not recorded, a notice to the resident through the hub and the portal, once per dose. The
//! health node writes as any agency does, knowing the person only by its own code.

use crate::store::RecordRow;
use myna_health::{PmhRecord, reminders};
use myna_linkage::agency::NoticeSend;
use myna_node::now_secs;

use crate::{Health, HealthError};

/// Routine vaccinations end by 16 (HPV); older people are not scanned.
const YEARS: i32 = 16;

impl Health {
    /// Sends the reminders due on `today`; returns how many were sent now (a dose already
    /// reminded is not reminded again).
    pub async fn send_reminders(&self, today: time::Date) -> Result<usize, HealthError> {
        let since = today.replace_year(today.year() - YEARS).unwrap_or(today).to_string();
        let mut sent = 0;
        for (code, birth) in self.store.born_since(&since).await? {
            let Ok(birth) = myna_health::parse_date(&birth) else { continue };
            let pmh: Vec<PmhRecord> = self
                .store
                .records_of(&code, "pmh", 500)
                .await?
                .iter()
                .filter_map(|b| serde_json::from_str(b).ok())
                .collect();
            for r in reminders(birth, today, &pmh) {
                // Claimed before sending: a crash in between loses one reminder rather than
                // sending it twice.
                let row = RecordRow {
                    code: code.clone(),
                    kind: "reminder".into(),
                    day: today.to_string(),
                    body: format!("{} {}", r.vaccine.id, r.dose),
                    source: format!("reminder:{code}:{}:{}", r.vaccine.id, r.dose),
                    line: 0,
                };
                if self.store.add_records(&[row]).await? == 0 {
                    continue;
                }
                if self.agency.store.person_of(&code).await?.is_none() {
                    self.agency.store.enrol(&code, &code, now_secs()).await?;
                }
                let notice = NoticeSend {
                    person: code.clone(),
                    title: format!("予防接種のお知らせ（{} 第{}回）", r.vaccine.ja, r.dose),
                    body: format!(
                        "{}の第{}回の接種時期です。かかりつけの医療機関にご相談ください。接種の記録はマイナポータルの「健康・医療」で確認できます。\n{} dose {} is due.",
                        r.vaccine.ja, r.dose, r.vaccine.en, r.dose
                    ),
                    deliver_at: None,
                    reply: None,
                };
                self.agency.notify(&notice).await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Once a day, the reminders due that day.
    pub(crate) fn spawn_reminders(self: &std::sync::Arc<Self>) {
        let weak = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
                let Some(h) = weak.upgrade() else { break };
                match h.send_reminders(myna_node::today_jst()).await {
                    Ok(n) => tracing::info!(sent = n, "vaccination reminders"),
                    Err(e) => tracing::warn!(error = %e, "vaccination reminders"),
                }
            }
        });
    }
}
