//! マイナンバー情報総点検 at J-LIS: a linking agency sends its links in batches — each number
//! with the agency's own 4 items of the person — and each is classed by
//! `myna_registry::inspection::stand`: matches, changed (moved, renamed), wrong (and whether
//! the items are another member of the same household's: the family swap), or deceased. The
//! answer never names the other person; each record read is in the access log.

use myna_number::IndividualNumber;
use myna_registry::{LookupQuery, PersonName, inspection::Standing};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{JlisError, access::Caller, registry::invalid, state::Jlis};

/// The most links one inspection request carries.
pub const INSPECTION_BATCH_MAX: usize = 1_000;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionLine {
    pub number: String,
    pub name: String,
    pub birth: String,
    #[serde(default)]
    pub sex: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// The task the links serve (one the caller holds), kept in the access log.
    pub task: String,
    /// The inspection's reference (1 to 64 characters), kept in the access log too.
    pub case: String,
    pub lines: Vec<InspectionLine>,
}

/// One link's class.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InspectionResult {
    /// Its place in the request, from 0.
    pub line: usize,
    /// matches, changed, wrong, deceased, or refused (the line could not be read).
    pub standing: String,
    /// For changed: which items to update (name, address).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// For wrong: the agency's 4 items are another resident's, and one of the same household
    /// as the number's resident (the family swap); the other is never named here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_in_household: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_found: bool,
    /// For refused: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl InspectionResult {
    fn refused(line: usize, reason: String) -> Self {
        Self {
            line,
            standing: "refused".into(),
            items: vec![],
            other_in_household: false,
            other_found: false,
            reason: Some(reason),
        }
    }
}

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
