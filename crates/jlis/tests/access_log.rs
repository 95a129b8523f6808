//! J-LIS's access log is tamper-evident: every entry proves its place in a Merkle tree the
//! log rebuilds from its rows at start, and a row changed behind J-LIS's back gives a tree
//! that does not extend the head a resident's portal checked before.

use myna_jlis::store::{Access, AccessLog};
use myna_link::{TreeHead, audit, merkle};
use myna_store::Db;

fn access(task: &str) -> Access {
    Access {
        at: 1_900_000_000,
        caller: "pension_service".into(),
        action: "lookup".into(),
        task: task.into(),
        case_ref: "R8-0001".into(),
    }
}

fn head(log: &AccessLog) -> TreeHead {
    let (size, root) = log.head().unwrap();
    TreeHead { size, root: hex::encode(root), at: 0 }
}

#[tokio::test]
async fn each_entry_is_proven_and_a_rewritten_row_is_caught() {
    for url in myna_testkit::fresh_urls().await {
        let db = Db::open(&url).await.unwrap();
        let log = AccessLog::open(db.clone(), b"key").await.unwrap();
        log.record(&[11], access("pension_award")).await.unwrap();
        log.record(&[22], access("pension_award")).await.unwrap();
        log.record(&[11, 33], access("child_allowance")).await.unwrap();
        let before = head(&log);
        assert_eq!(before.size, 4, "{url}: one leaf per resident an access was about");

        // Resident 11's entries, newest first, each proven in the signed size.
        let mine = log.logged_of(11, 10).await.unwrap();
        assert_eq!(mine.iter().map(|l| l.index).collect::<Vec<_>>(), [2, 0]);
        let root = merkle::hash_from_hex(&before.root).unwrap();
        for l in &mine {
            let proof = log.inclusion(l.index, before.size).unwrap();
            merkle::verify_inclusion(l.leaf.as_bytes(), l.index, before.size, &root, &proof).unwrap();
            let e: Access = serde_json::from_str(&l.leaf).unwrap();
            assert_eq!(e.caller, "pension_service");
            assert!(!l.leaf.contains("\"11\"") && !l.leaf.contains(":11,"), "no record code in a leaf: {}", l.leaf);
        }

        // Reopened, the tree is the same, and it extends what was checked.
        drop(log);
        let log = AccessLog::open(db.clone(), b"key").await.unwrap();
        log.record(&[22], access("pension_award")).await.unwrap();
        let after = head(&log);
        let proof = log.consistency(before.size, after.size).unwrap();
        audit::check_extends(&before, &after, &proof).unwrap();

        // Someone rewrites an entry in the database: the rebuilt log no longer extends it.
        drop(log);
        sqlx::query("UPDATE access_log SET leaf = replace(leaf, 'pension_award', 'other_task') WHERE idx = 1")
            .execute(&db.pool)
            .await
            .unwrap();
        let log = AccessLog::open(db.clone(), b"key").await.unwrap();
        let forged = head(&log);
        let proof = log.consistency(before.size, forged.size).unwrap();
        let alarm = audit::check_extends(&before, &forged, &proof).unwrap_err();
        assert!(alarm.to_string().contains("REWRITTEN"), "{url}: {alarm}");
    }
}
