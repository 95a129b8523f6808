//! The demo's line for 窓口交付: a story resident of the office system's municipality, by the
//! 住民票コード its clerk types at the counter.

use myna_jlis::store::RegistryStore;
use myna_population::livelihood;
use myna_store::Db;

use super::country::Country;

/// A story resident of `municipality` (`municipality:131016`): their reference and their
/// resident code, read from J-LIS's database.
pub async fn resident(jlis_db: &str, key: [u8; 32], country: &Country, municipality: &str) -> Option<(String, String)> {
    let db = Db::open(jlis_db).await.ok()?;
    let store = RegistryStore::open(db, || key).await.ok()?;
    for s in &country.stories {
        let Some((r, m)) = country.story_resident(s) else { continue };
        if format!("municipality:{}", livelihood::municipality_of(&m.person.lg_code)) != municipality {
            continue;
        }
        let Some(number) = r.number.as_deref().and_then(|n| n.parse().ok()) else { continue };
        if let Ok(Some(found)) = store.by_number(number).await {
            return Some((s.person.clone(), found.code.to_string()));
        }
    }
    None
}
