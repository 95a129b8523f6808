//! The resident's own view of what the health node holds (the `medical_information` item of
//! the data standard layout): registration, eligibility, the log of checks and consents, and
//! the newest medication, checkups, expenses and PMH records (up to the layout's list limit
//! of 100 each).

use myna_health::{
    CheckLine, CheckupResult, CheckupWire, Eligibility, EligibilityLine, Expense, ItemValue, MedicalView, Medication,
    PmhLine, PmhRecord, ReminderLine, reminders,
};
use myna_store::StoreError;

use crate::store::HealthStore;
use serde_json::Value;

/// Rows per list (the layout's limit).
const LIST: u32 = 100;

fn parse<T: serde::de::DeserializeOwned>(rows: Vec<String>) -> Vec<T> {
    rows.iter().filter_map(|b| serde_json::from_str(b).ok()).collect()
}

fn pmh_summary(r: &PmhRecord) -> (String, String, Option<String>) {
    match r {
        PmhRecord::Subsidy { kind, payer, recipient, copay_yen, valid_from, valid_to } => (
            "subsidy".into(),
            format!(
                "{} 公費負担者番号 {payer} 受給者番号 {recipient} 自己負担 {copay_yen}円 （{}〜{}）",
                kind.ja(),
                valid_from,
                valid_to.map(|d| d.to_string()).unwrap_or_default()
            ),
            Some(valid_from.to_string()),
        ),
        PmhRecord::Vaccination { vaccine, dose, on, place } => {
            let name = myna_health::VACCINES.iter().find(|v| v.id == vaccine).map(|v| v.ja).unwrap_or(vaccine);
            ("vaccination".into(), format!("{name} 第{dose}回 （{place}）"), Some(on.to_string()))
        }
        PmhRecord::MaternalCheckup { on, week, institution, note } => {
            ("maternal_checkup".into(), format!("妊婦健康診査 {week}週 （{institution}） {note}"), Some(on.to_string()))
        }
    }
}

impl crate::Health {
    /// The `medical_information` answer for `code`, `None` when the node knows nothing of them.
    pub async fn medical_information(&self, code: &str, today: time::Date) -> Result<Option<Value>, StoreError> {
        medical_information(&self.store, &self.facilities, code, today).await
    }
}

/// [`crate::Health::medical_information`] from the store and the facilities, so the linkage
/// node's copy source needs nothing built after it.
pub(crate) async fn medical_information(
    store: &HealthStore,
    facilities: &crate::Facilities,
    code: &str,
    today: time::Date,
) -> Result<Option<Value>, StoreError> {
    let names: std::collections::HashMap<String, String> =
        facilities.read().map(|f| f.values().map(|r| (r.code.clone(), r.name.clone())).collect()).unwrap_or_default();
    view(store, code, today, &names).await
}

async fn view(
    store: &HealthStore,
    code: &str,
    today: time::Date,
    facilities: &std::collections::HashMap<String, String>,
) -> Result<Option<Value>, StoreError> {
    let registered = store.registration(code).await?.is_some();
    let elig: Vec<Eligibility> =
        store.eligibility_of(code).await?.iter().filter_map(|r| serde_json::from_str(&r.record).ok()).collect();
    let pmh: Vec<PmhRecord> = parse(store.records_of(code, "pmh", LIST).await?);
    if !registered && elig.is_empty() && pmh.is_empty() {
        return Ok(None);
    }
    let checks: Vec<CheckLine> = store
        .checks_of(code, LIST)
        .await?
        .into_iter()
        .map(|c| {
            let at = time::OffsetDateTime::from_unix_timestamp(c.at)
                .map(|t| t.to_offset(myna_node::JST))
                .map(|t| format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute()))
                .unwrap_or_default();
            let name = facilities.get(&c.facility).cloned().unwrap_or_default();
            CheckLine {
                at,
                facility: format!("{name} ({})", c.facility),
                method: c.method,
                consented: c.scopes,
                certificate: c.certificate,
                outcome: c.outcome,
            }
        })
        .collect();
    let medication: Vec<Medication> = parse(store.records_of(code, "medication", LIST).await?);
    let checkups: Vec<CheckupWire> = parse::<CheckupResult>(store.records_of(code, "checkup", LIST).await?)
        .into_iter()
        .map(|c| CheckupWire {
            on: c.on.to_string(),
            institution: c.institution,
            values: c.values.into_iter().map(|(item, v)| ItemValue { item, value: v.to_string() }).collect(),
        })
        .collect();
    let expenses: Vec<Expense> = parse(store.records_of(code, "expense", LIST).await?);
    let due = elig.first().map(|e| reminders(e.birth, today, &pmh)).unwrap_or_default();
    let view = MedicalView {
        registered,
        eligibility: elig
            .iter()
            .map(|e| EligibilityLine {
                insurer: e.insurer.clone(),
                scheme: e.insurer.scheme_ja().into(),
                symbol: e.symbol.clone(),
                number: e.number.clone(),
                branch: e.branch,
                copay_percent: e.copay_percent,
                limit: e.limit,
                valid_from: e.valid_from.to_string(),
                valid_to: e.valid_to.map(|d| d.to_string()),
            })
            .collect(),
        checks,
        medication,
        checkups,
        expenses,
        pmh: pmh.iter().map(pmh_summary).map(|(kind, summary, on)| PmhLine { kind, summary, on }).collect(),
        reminders: due.iter().map(|r| ReminderLine { vaccine: r.vaccine.ja.into(), dose: r.dose }).collect(),
    };
    Ok(Some(serde_json::to_value(view).map_err(|e| StoreError::Corrupt(e.to_string()))?))
}
