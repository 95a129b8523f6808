//! マイナンバー情報総点検 measured against a known truth: a generated country with wrong links
//! planted for each of the seed's causes (`myna_population::mislinks`), inspected at J-LIS.
//! Every planted link must be found wrong — with the family swaps told apart — and no right
//! link reported wrong: recall and precision of 1, asserted line by line.

use myna_jlis::store::RegistryStore;
use myna_population::mislinks::{self, Cause, Rates};
use myna_store::Db;
use serde_json::{Value, json};

const HOLDER: &str = "pension_service";

#[tokio::test]
async fn every_planted_wrong_link_is_found_and_no_right_one_is_reported() {
    for url in myna_testkit::fresh_urls().await {
        let store = RegistryStore::open(Db::open(&url).await.unwrap(), || [4; 32]).await.unwrap();
        let today = myna_node::today_jst();
        let mut g = myna_population::Generator::within(20, today, &["131016", "271004"]).unwrap();
        let (mut people, mut sizes) = (Vec::new(), Vec::new());
        while people.len() < 2_500 {
            let h = g.next_household();
            sizes.push(h.len());
            people.extend(h);
        }
        let base = store.reserve_households(sizes.len() as u64).await.unwrap();
        let loaded = store.load(&people, base, today).await.unwrap();
        // 2 % of links wrong for each cause: enough of each to count, in a small country.
        let links = mislinks::plant(20, HOLDER, 0, &sizes, &Rates::each(20_000));
        let lines: Vec<Value> = links
            .iter()
            .zip(&people)
            .map(|(l, own)| {
                json!({"number": loaded[l.number_of].number.as_str().replace(' ', ""), "name": own.name.kanji,
                    "birth": own.birth.to_string(), "sex": own.sex.map(|s| s.as_str()), "address": own.address.line()})
            })
            .collect();

        let dir = std::env::temp_dir().join(format!("myna-inspection-truth-{}", std::process::id()));
        let network = dir.join("network");
        let identity = myna_node::NodeIdentity::load_or_create(&network, "jlis", &[]).unwrap();
        let node = myna_jlis::start(store, &identity, ([127, 0, 0, 1], 0).into()).await.unwrap();
        let client = myna_node::NodeIdentity::load_or_create(&network, HOLDER, &[]).unwrap().client().unwrap();
        let mut results = Vec::new();
        for (b, chunk) in lines.chunks(myna_jlis::INSPECTION_BATCH_MAX).enumerate() {
            let body = json!({"task": "pension_award", "case": format!("truth-{b}"), "lines": chunk});
            let r = client.post(format!("{}/v1/inspection", node.url())).json(&body).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.text().await.unwrap());
            let v: Vec<Value> = r.json().await.unwrap();
            assert_eq!(v.len(), chunk.len());
            results.extend(v);
        }

        let mut found = std::collections::BTreeMap::<&str, usize>::new();
        for (i, (l, r)) in links.iter().zip(&results).enumerate() {
            match l.cause {
                None => assert_eq!(r["standing"], "matches", "{url}: line {i}, a right link: {r}"),
                Some(c) => {
                    assert_eq!(r["standing"], "wrong", "{url}: line {i}, planted {c:?}: {r}");
                    assert_eq!(r["other_found"], true, "{url}: line {i}: the items are a resident's: {r}");
                    let swap = r["other_in_household"] == true;
                    assert_eq!(swap, c.same_household(), "{url}: line {i}, {c:?}: {r}");
                    *found.entry(c.as_str()).or_default() += 1;
                }
            }
        }
        for c in Cause::ALL {
            assert!(found.get(c.as_str()).copied().unwrap_or(0) >= 10, "{url}: too few {c:?} planted: {found:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
