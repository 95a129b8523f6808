//! The catalogue: procedures, the life events they belong to, and what each municipality
//! offers (the presets it adopted, with fields it added, and its own procedures).

use std::collections::BTreeMap;

use myna_link::{AgencyKind, InfoItem, PermissionTable, TaskId};
use serde::Deserialize;
use serde_json::Value;

use crate::{Field, Label};

const SHIPPED: &str = include_str!("../data/procedures.json");

/// Life events the portal groups procedures by (ライフイベント).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifeEvent {
    Kosodate,
    Kaigo,
    Hisai,
    Hikkoshi,
    Kurashi,
}

impl LifeEvent {
    pub const ALL: [LifeEvent; 5] = [Self::Kosodate, Self::Kaigo, Self::Hisai, Self::Hikkoshi, Self::Kurashi];

    pub fn id(self) -> &'static str {
        match self {
            Self::Kosodate => "kosodate",
            Self::Kaigo => "kaigo",
            Self::Hisai => "hisai",
            Self::Hikkoshi => "hikkoshi",
            Self::Kurashi => "kurashi",
        }
    }

    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Self::Kosodate, false) => "子育て",
            (Self::Kosodate, true) => "Raising children",
            (Self::Kaigo, false) => "介護",
            (Self::Kaigo, true) => "Nursing care",
            (Self::Hisai, false) => "被災者支援",
            (Self::Hisai, true) => "Disaster support",
            (Self::Hikkoshi, false) => "引越し",
            (Self::Hikkoshi, true) => "Moving",
            (Self::Kurashi, false) => "くらし",
            (Self::Kurashi, true) => "Daily life",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.id() == s)
    }
}

#[derive(Debug, Clone)]
pub struct Procedure {
    pub id: String,
    pub name: Label,
    pub events: Vec<LifeEvent>,
    pub law: String,
    /// The linkage task it serves, when one exists; prefills must be permitted for it.
    pub task: Option<TaskId>,
    /// Whether the resident signs it with the card's signing certificate.
    pub sign: bool,
    pub fields: Vec<Field>,
    /// A national standard form (preset) rather than a municipality's own.
    pub preset: bool,
}

/// A procedure as one municipality offers it: the preset's fields plus any it added.
#[derive(Debug, Clone)]
pub struct Offering<'a> {
    pub municipality: &'a str,
    pub municipality_name: String,
    pub procedure: &'a Procedure,
    pub fields: Vec<&'a Field>,
}

#[derive(Debug, Clone)]
struct Adoption {
    /// The municipality's name, looked up in the gazetteer once.
    name: String,
    adopts: Vec<String>,
    added: BTreeMap<String, Vec<Field>>,
    own: Vec<Procedure>,
}

#[derive(Debug)]
pub struct Catalogue {
    procedures: Vec<Procedure>,
    municipalities: BTreeMap<String, Adoption>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("the catalogue is not valid JSON: {0}")]
    Json(String),
    #[error("procedure {procedure}: {reason}")]
    Procedure { procedure: String, reason: String },
}

#[derive(Deserialize, Clone)]
struct RawProcedure {
    id: String,
    ja: String,
    en: String,
    events: Vec<LifeEvent>,
    law: String,
    #[serde(default)]
    task: Option<String>,
    sign: bool,
    fields: Vec<Value>,
}

#[derive(Deserialize)]
struct RawAdoption {
    adopts: Vec<String>,
    #[serde(default)]
    added_fields: BTreeMap<String, Vec<Field>>,
    #[serde(default)]
    own: Vec<RawProcedure>,
}

#[derive(Deserialize)]
struct Raw {
    groups: BTreeMap<String, Vec<Field>>,
    procedures: Vec<RawProcedure>,
    municipalities: BTreeMap<String, RawAdoption>,
}

fn matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

impl Catalogue {
    /// The catalogue compiled into the crate.
    pub fn shipped() -> Result<Self, CatalogueError> {
        Self::parse(SHIPPED, &PermissionTable::shipped().map_err(|e| CatalogueError::Json(e.to_string()))?)
    }

    /// Reads a catalogue, expanding field groups (`"@applicant"`) and checking every form:
    /// field ids unique, and each prefill permitted by `table` for the procedure's task.
    pub fn parse(text: &str, table: &PermissionTable) -> Result<Self, CatalogueError> {
        let raw: Raw = serde_json::from_str(text).map_err(|e| CatalogueError::Json(e.to_string()))?;
        let build = |r: RawProcedure, preset: bool| -> Result<Procedure, CatalogueError> {
            let bad = |reason: String| CatalogueError::Procedure { procedure: r.id.clone(), reason };
            let mut fields = Vec::new();
            for f in &r.fields {
                match f {
                    Value::String(g) => {
                        let name =
                            g.strip_prefix('@').ok_or_else(|| bad(format!("{g:?} is neither a field nor a @group")))?;
                        fields.extend(
                            raw.groups.get(name).ok_or_else(|| bad(format!("no field group {name}")))?.iter().cloned(),
                        );
                    }
                    v => fields.push(serde_json::from_value::<Field>(v.clone()).map_err(|e| bad(e.to_string()))?),
                }
            }
            let task = match &r.task {
                Some(t) => Some(t.parse::<TaskId>().map_err(|e| bad(e.to_string()))?),
                None => None,
            };
            check_fields(&fields, task.as_ref(), table).map_err(&bad)?;
            Ok(Procedure {
                id: r.id.clone(),
                name: Label { ja: r.ja.clone(), en: r.en.clone() },
                events: r.events.clone(),
                law: r.law.clone(),
                task,
                sign: r.sign,
                fields,
                preset,
            })
        };
        let mut procedures = Vec::new();
        for r in raw.procedures.iter().cloned() {
            procedures.push(build(r, true)?);
        }
        let mut municipalities = BTreeMap::new();
        for (code, a) in &raw.municipalities {
            let own = a.own.iter().cloned().map(|r| build(r, false)).collect::<Result<Vec<_>, _>>()?;
            for (pid, added) in &a.added_fields {
                let p = procedures.iter().find(|p| &p.id == pid).ok_or_else(|| CatalogueError::Procedure {
                    procedure: pid.clone(),
                    reason: format!("{code} adds fields to a procedure that does not exist"),
                })?;
                let all: Vec<Field> = p.fields.iter().chain(added).cloned().collect();
                check_fields(&all, p.task.as_ref(), table).map_err(|reason| CatalogueError::Procedure {
                    procedure: pid.clone(),
                    reason: format!("{code}'s added fields: {reason}"),
                })?;
            }
            municipalities.insert(
                code.clone(),
                Adoption {
                    name: municipality_name(code),
                    adopts: a.adopts.clone(),
                    added: a.added_fields.clone(),
                    own,
                },
            );
        }
        Ok(Self { procedures, municipalities })
    }

    /// Municipalities that offer procedures here, with their names.
    pub fn municipalities(&self) -> Vec<(&str, String)> {
        self.municipalities.iter().map(|(c, a)| (c.as_str(), a.name.clone())).collect()
    }

    pub fn presets(&self) -> &[Procedure] {
        &self.procedures
    }

    fn offer<'a>(&'a self, code: &'a str, a: &'a Adoption, p: &'a Procedure) -> Offering<'a> {
        let added = a.added.get(&p.id).map(Vec::as_slice).unwrap_or_default();
        Offering {
            municipality: code,
            municipality_name: a.name.clone(),
            procedure: p,
            fields: p.fields.iter().chain(added).collect(),
        }
    }

    /// Every procedure a municipality offers.
    pub fn offerings<'a>(&'a self, code: &'a str) -> Vec<Offering<'a>> {
        let Some(a) = self.municipalities.get(code) else { return Vec::new() };
        let adopted = self.procedures.iter().filter(|p| a.adopts.iter().any(|pat| matches(pat, &p.id)));
        adopted.chain(a.own.iter()).map(|p| self.offer(code, a, p)).collect()
    }

    /// One procedure as a municipality offers it.
    pub fn offering<'a>(&'a self, code: &'a str, procedure: &str) -> Option<Offering<'a>> {
        let a = self.municipalities.get(code)?;
        let adopted =
            self.procedures.iter().find(|p| p.id == procedure && a.adopts.iter().any(|pat| matches(pat, &p.id)));
        adopted.or_else(|| a.own.iter().find(|p| p.id == procedure)).map(|p| self.offer(code, a, p))
    }

    /// Search: by municipality (all that offer procedures when `None`), life event, and a
    /// keyword matched against the names in both languages (width- and kana-folded).
    pub fn search<'a>(
        &'a self,
        municipality: Option<&'a str>,
        event: Option<LifeEvent>,
        keyword: &str,
    ) -> Vec<Offering<'a>> {
        let key = myna_text::match_key(keyword.trim());
        let lower = keyword.trim().to_lowercase();
        let codes: Vec<&str> = match municipality {
            Some(c) => vec![c],
            None => self.municipalities.keys().map(String::as_str).collect(),
        };
        codes
            .into_iter()
            .flat_map(|c| self.offerings(c))
            .filter(|o| event.is_none_or(|e| o.procedure.events.contains(&e)))
            .filter(|o| {
                key.is_empty()
                    || myna_text::match_key(&o.procedure.name.ja).contains(&key)
                    || o.procedure.name.en.to_lowercase().contains(&lower)
                    || myna_text::match_key(&o.procedure.law).contains(&key)
            })
            .collect()
    }
}

/// The municipality's name from the gazetteer (e.g. 東京都千代田区).
pub fn municipality_name(code: &str) -> String {
    myna_text::address::Gazetteer::embedded()
        .by_code(code)
        .map(|m| format!("{}{}", m.pref, m.full_name()))
        .unwrap_or_else(|| code.to_string())
}

fn check_fields(fields: &[Field], task: Option<&TaskId>, table: &PermissionTable) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for f in fields {
        if !seen.insert(f.id.as_str()) {
            return Err(format!("field {} appears twice", f.id));
        }
        let Some(prefill) = &f.prefill else { continue };
        let (item, _) =
            prefill.split_once('.').ok_or_else(|| format!("field {}: prefill {prefill:?} is not item.field", f.id))?;
        let item: InfoItem = item.parse().map_err(|e: myna_link::TableError| format!("field {}: {e}", f.id))?;
        // The resident's own record is theirs to reuse in any application; anything else only
        // where the permission table lets the municipality obtain it for this task.
        let allowed = item == InfoItem::ResidentRecord
            || task.is_some_and(|t| {
                table.rows().iter().any(|r| r.requester == AgencyKind::Municipality && &r.task == t && r.item == item)
            });
        if !allowed {
            return Err(format!(
                "field {}: prefill from {} is not permitted for task {}",
                f.id,
                item.id(),
                task.map(|t| t.as_str()).unwrap_or("(none)")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presets_are_all_there() {
        let c = Catalogue::shipped().unwrap();
        let count = |p: &str| c.presets().iter().filter(|x| x.id.starts_with(p)).count();
        assert_eq!((count("kosodate-"), count("kaigo-"), count("hisai-")), (15, 11, 7));
        let genkyo = c.offering("131016", "kosodate-10").unwrap();
        assert!(genkyo.fields.iter().any(|f| f.id == "school"), "千代田区 added a field");
        assert!(!c.offering("271004", "kosodate-10").unwrap().fields.iter().any(|f| f.id == "school"));
        assert!(c.offering("271004", "hisai-01").is_none(), "大阪市 did not adopt 被災者支援");
        assert!(c.offering("131016", "131016-club").is_some());
        assert_eq!(c.offerings("999999").len(), 0);
    }

    #[test]
    fn search_by_keyword_event_and_municipality() {
        let c = Catalogue::shipped().unwrap();
        let hits = c.search(Some("131016"), None, "現況届");
        assert!(hits.iter().any(|o| o.procedure.id == "kosodate-10"));
        assert!(hits.iter().all(|o| o.procedure.name.ja.contains("現況届")));
        let care = c.search(None, Some(LifeEvent::Kaigo), "");
        assert_eq!(care.len(), 22, "11 care procedures at each of two municipalities");
        assert!(c.search(None, None, "status report").iter().any(|o| o.procedure.id == "kosodate-10"));
        assert!(c.search(Some("131016"), Some(LifeEvent::Hikkoshi), "").iter().any(|o| o.procedure.id == "kurashi-08"));
    }

    #[test]
    fn a_prefill_the_law_does_not_allow_is_refused() {
        let table = PermissionTable::shipped().unwrap();
        let text = SHIPPED.replacen(
            "\"prefill\": \"local_tax.taxable_income\"",
            "\"prefill\": \"pension_benefit.annual_amount\"",
            1,
        );
        let e = Catalogue::parse(&text, &table).unwrap_err();
        assert!(e.to_string().contains("not permitted"), "{e}");
    }
}
