//! Bulk enrolment and copies: a thousand codes a signed request through J-LIS and the hub,
//! the same codes as one at a time, idempotent; a copy that does not fit its layout refuses
//! its whole batch, saying which and why, with nothing kept.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn a_batch_gets_the_same_codes_as_one_at_a_time_and_a_bad_copy_keeps_nothing() {
    let c = Country::start(None).await;
    let city = c.agency(CITY_A).agency.clone();
    // Resident 0 one at a time first; then both in a batch, with a number nobody has.
    let one = c.enrol(CITY_A, 0).await;
    let nobody = "123456789018".to_string();
    let batch = vec![
        ("p0".to_string(), c.items(0)),
        ("b1".to_string(), c.items(1)),
        ("b2".to_string(), myna_link::LinkItems { number: nobody, ..c.items(1) }),
    ];
    let codes = city.enrol_batch(&batch).await.unwrap();
    assert_eq!(codes[0].as_deref(), Ok(one.as_str()), "an enrolled person keeps their code");
    let b1 = codes[1].clone().expect("resident 1 enrolled");
    assert!(codes[2].as_ref().is_err_and(|e| e.contains("no resident")), "J-LIS holds no resident with that number");
    // Again: the same codes, nothing new (idempotent, as a resumed load needs).
    assert_eq!(city.enrol_batch(&batch).await.unwrap(), codes);
    // The batch code is the one the single path gives the same agency for the same person.
    let other = c.agency(CITY_B).agency.clone();
    let batched = other.enrol_batch(&[("y1".into(), c.items(1))]).await.unwrap();
    let single = other.obtain_code(myna_link::Enrolment::Items(c.items(1))).await.unwrap();
    assert_ne!(single, b1, "each agency its own code");
    assert_eq!(batched[0].as_deref(), Ok(single.as_str()), "one code per agency and person, whichever path");
    // The same person under a second reference of the same agency: refused, nothing kept.
    let e = other.enrol_batch(&[("z1".into(), c.items(1))]).await.unwrap_err().to_string();
    assert!(e.contains("code"), "{e}");
    assert!(other.store.code_of("z1").await.unwrap().is_none());

    // Copies: all or nothing, the bad one named.
    let good = json!({"fiscal_year": 2026, "taxable_income": 1_000_000, "tax_amount": 97_500, "non_taxable": false});
    let bad = json!({"fiscal_year": 2026, "taxable_income": -5, "tax_amount": 0, "non_taxable": false});
    let copies = vec![
        ("p0".to_string(), "local_tax".to_string(), good.clone()),
        ("b1".to_string(), "local_tax".to_string(), bad),
    ];
    let e = city.put_copies(&copies).await.unwrap_err().to_string();
    assert!(e.contains("[1] (b1, local_tax)") && e.contains("taxable_income"), "{e}");
    let code0 = city.store.code_of("p0").await.unwrap().unwrap();
    assert!(city.store.copy(&code0, "local_tax").await.unwrap().is_none(), "nothing of the refused batch kept");
    // A person the agency does not hold.
    let e = city.put_copies(&[("nobody".into(), "local_tax".into(), good.clone())]).await.unwrap_err().to_string();
    assert!(e.contains("nobody"), "{e}");
    assert_eq!(city.put_copies(&copies[..1]).await.unwrap(), 1);
    assert!(city.store.copy(&code0, "local_tax").await.unwrap().is_some());
    // More than a thousand at once is J-LIS's to refuse, not to half-do.
    let many: Vec<myna_link::LinkItems> = (0..1_001).map(|_| c.items(0)).collect();
    let jws = common::key(&c.dir, CITY_A)
        .sign(&myna_link::Envelope::new(
            CITY_A.parse().unwrap(),
            "jlis".parse().unwrap(),
            now(),
            myna_link::EnrolmentBatch { people: many },
        ))
        .unwrap();
    let (status, text) = c.to_node(&c.jlis.url(), CITY_A, "/v1/linkage/codes/batch", jws).await;
    let text = text.to_string();
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("at most 1000"), "{text}");
}

/// The bulk writes and lookups on each back end (SQLite, and PostgreSQL when the test script
/// starts one): many people enrolled at once, a code that is another person's refusing its
/// whole batch, copies replaced in place, and the grouped exchange record keeping a query's
/// first record while a resent answer is recorded again.
#[tokio::test]
async fn bulk_writes_behave_alike_on_every_back_end() {
    use myna_link::clerk_api::{ExchangeOutcome, ExchangeRole};
    use myna_linkage::agency::{AgencyStore, ExchangeRow};
    for url in myna_testkit::fresh_urls().await {
        let store = AgencyStore::open(myna_store::Db::open(&url).await.unwrap()).await.unwrap();
        store.enrol_many(&[("a", "code-a"), ("b", "code-b")], 1).await.unwrap();
        store.enrol_many(&[("a", "code-a"), ("c", "code-c")], 2).await.unwrap();
        let codes = store.codes_of(&["a", "b", "c", "d"]).await.unwrap();
        assert_eq!(codes.len(), 3, "{url}");
        assert_eq!(codes["c"], "code-c");
        let e = store.enrol_many(&[("e", "code-e"), ("f", "code-a")], 3).await.unwrap_err();
        assert!(e.to_string().contains("code"), "{url}: {e}");
        assert!(store.codes_of(&["e"]).await.unwrap().is_empty(), "{url}: nothing of the refused batch");
        let v1 = (String::from("1.0"), String::from("{\"x\":1}"));
        let v2 = (String::from("1.1"), String::from("{\"x\":2}"));
        store.put_copies(&[("code-a", "local_tax", v1.0.clone(), v1.1.clone())], 1).await.unwrap();
        store
            .put_copies(&[("code-a", "local_tax", v2.0.clone(), v2.1.clone()), ("code-b", "local_tax", v1.0, v1.1)], 2)
            .await
            .unwrap();
        assert_eq!(store.copy("code-a", "local_tax").await.unwrap(), Some(v2), "{url}: replaced");
        let row = |m: &str, role, outcome| ExchangeRow {
            message: m.into(),
            role,
            peer: "pension_service".into(),
            task: "child_allowance".into(),
            item: "local_tax".into(),
            code: "code-a".into(),
            outcome,
            record: Some(1),
            at: 1,
            staff: None,
        };
        let (asked, answered) = (ExchangeRole::Asked, ExchangeRole::Answered);
        let writes = [
            row("m1", asked, ExchangeOutcome::Delivered),
            row("m1", asked, ExchangeOutcome::Failed),
            row("m2", answered, ExchangeOutcome::Delivered),
            row("m2", answered, ExchangeOutcome::NotHeld),
        ];
        // Written side by side: they share group commits.
        let results = futures_util::future::join_all(writes.iter().map(|r| store.record(r))).await;
        assert!(results.iter().all(Result::is_ok), "{url}: {results:?}");
        let all = store.exchanges(10).await.unwrap();
        let m1 = all.iter().find(|r| r.message == "m1").unwrap();
        assert_eq!((all.len(), m1.outcome), (2, ExchangeOutcome::Delivered), "{url}: a query keeps its first record");
        let m2 = all.iter().find(|r| r.message == "m2").unwrap();
        assert_eq!(m2.record, None, "{url}: a resent answer waits for the hub's receipt again");
    }
}
