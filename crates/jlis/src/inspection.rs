//! マイナンバー情報総点検 at J-LIS: a linking agency sends its links in batches — each number
//! with the agency's own 4 items of the person — and each is classed by
//! `myna_registry::inspection::stand`: matches, changed (moved, renamed), wrong (and whether
//! the items are another member of the same household's: the family swap), or deceased. The
//! answer never names the other person; each record read is in the access log.

pub use myna_link::inspection::{INSPECTION_BATCH_MAX, InspectionLine, InspectionRequest, InspectionResult};
use myna_number::IndividualNumber;
use myna_registry::{LookupQuery, PersonName, inspection::Standing};

use crate::{JlisError, access::Caller, registry::invalid, state::Jlis};

impl Jlis {
    /// Classes up to [`INSPECTION_BATCH_MAX`] links for a task the caller holds; a line that
    /// cannot be read is refused alone, with its reason.
    pub async fn inspect(&self, caller: &Caller, req: &InspectionRequest) -> Result<Vec<InspectionResult>, JlisError> {
        let (task, case) = self.purpose(caller, Some(&req.task), Some(&req.case))?;
        if req.lines.is_empty() || req.lines.len() > INSPECTION_BATCH_MAX {
            return Err(invalid("lines", format!("send 1 to {INSPECTION_BATCH_MAX} links a request")));
        }
        let today = myna_node::today_jst();
        let mut out = Vec::with_capacity(req.lines.len());
        let mut seen = Vec::new();
        for (i, l) in req.lines.iter().enumerate() {
            let number: IndividualNumber = match l.number.parse() {
                Ok(n) => n,
                Err(e) => {
                    out.push(InspectionResult::refused(i, format!("number: {e}")));
                    continue;
                }
            };
            let q = match LookupQuery::new(Some(&l.name), Some(&l.birth), l.sex.as_deref(), Some(&l.address), today) {
                Ok(q) => q,
                Err(e) => {
                    out.push(InspectionResult::refused(i, e.to_string()));
                    continue;
                }
            };
            let Some(record) = self.registry.by_number(number).await? else {
                out.push(InspectionResult::refused(i, "no resident has this individual number".into()));
                continue;
            };
            seen.push(record.code.value());
            let found = self.registry.lookup(&q).await?;
            // The names the record had: a link made under a former name is the same person.
            let former: Vec<String> = self
                .registry
                .history(record.code)
                .await?
                .iter()
                .filter(|e| e.kind == "name_change")
                .filter_map(|e| e.detail["from"]["name"].as_str())
                .filter_map(|n| PersonName::new(n, "ア").ok().map(|p| p.key()))
                .collect();
            let standing = myna_registry::inspection::stand(&q, &record, &former, &found);
            let mut r = InspectionResult::refused(i, String::new());
            r.reason = None;
            match standing {
                Standing::Matches => r.standing = "matches".into(),
                Standing::Changed { items } => {
                    r.standing = "changed".into();
                    r.items = items.into_iter().map(str::to_string).collect();
                    // The qualifications' keepers take the new 本人確認情報 (番号法 別表), so a
                    // registration follows a name change without a 書換え application.
                    if caller.id().kind().ok() == Some(myna_link::AgencyKind::Qualifications) {
                        r.current = Some(identity(&record));
                    }
                }
                Standing::Wrong { owner, same_household } => {
                    r.standing = "wrong".into();
                    r.other_found = owner.is_some();
                    r.other_in_household = same_household;
                    if let Some(o) = owner {
                        seen.push(o.value());
                    }
                }
                Standing::Deceased { .. } => r.standing = "deceased".into(),
            }
            out.push(r);
        }
        self.log_access(caller, &seen, "inspection", task, case).await?;
        Ok(out)
    }
}

/// A resident's 本人確認情報 as J-LIS gives it to the qualification system.
pub(crate) fn identity(r: &myna_registry::Resident) -> myna_link::Identity {
    myna_link::Identity {
        number: format!("{:012}", r.number.value()),
        name: r.name.kanji.clone(),
        kana: r.name.kana.clone(),
        birth: r.birth.to_string(),
        sex: r.sex.map(|s| s.as_str().to_string()),
        address: r.address.line(),
        deceased: matches!(r.status, myna_registry::Status::Deceased { .. }),
    }
}
