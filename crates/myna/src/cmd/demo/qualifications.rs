//! The demo's line for 国家資格: an examining body (`examiner:national-exams`, by its
//! certificate) records that a story resident passed the physicians' examination, so they can
//! apply in the portal with the examination number printed.

use std::path::Path;

use myna_jlis::store::RegistryStore;
use myna_node::NodeIdentity;
use myna_store::Db;

use super::country::Country;

/// The examination number of the demo's pass.
pub const EXAM: &str = "118-A-0001";

/// Records the pass of the first story resident (idempotent); their reference.
pub async fn seed(jlis_db: &str, network: &Path, key: [u8; 32], country: &Country, url: &str) -> Option<String> {
    let db = Db::open(jlis_db).await.ok()?;
    let store = RegistryStore::open(db, || key).await.ok()?;
    for s in &country.stories {
        let Some((r, _)) = country.story_resident(s) else { continue };
        let Some(number) = r.number.as_deref().and_then(|n| n.parse().ok()) else { continue };
        let Ok(Some(found)) = store.by_number(number).await else { continue };
        let examiner = NodeIdentity::load_or_create(network, "examiner:national-exams", &[]).ok()?.client().ok()?;
        let pass = serde_json::json!({"qualification": "physician", "exam_number": EXAM, "name": found.name.kanji,
            "birth": found.birth.to_string(), "passed_on": "2026-03-16"});
        let r = examiner.post(format!("{url}/v1/examinations")).json(&pass).send().await.ok()?;
        return r.status().is_success().then(|| s.person.clone());
    }
    None
}
