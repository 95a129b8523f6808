//! J-LIS's transparency log of issuances on its own: receipts that prove each document, a
//! resent submission answered with the first receipt, another digest for a logged serial
//! refused, and the tree rebuilt from the stored leaves after a restart.

use myna_issuance::log::{Event, Leaf};
use myna_jlis::store::{IssuanceLog, IssuanceLogError};
use myna_link::note;
use myna_store::Db;

fn leaf(serial: &str, digest: char) -> Leaf {
    Leaf {
        event: Event::Issued,
        issuer: "131016".into(),
        serial: serial.into(),
        at: 1_796_600_000,
        digest: digest.to_string().repeat(64),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_prove_each_issuance_and_survive_a_restart() {
    let url = myna_testkit::sqlite_url();
    let log = std::sync::Arc::new(IssuanceLog::open(Db::open(&url).await.unwrap()).await.unwrap());
    let vkey = log.vkey();
    let writes: Vec<_> = (0..50)
        .map(|i| {
            let log = log.clone();
            tokio::spawn(async move { log.append(leaf(&format!("131016-20261207-{i:06}"), 'a')).await })
        })
        .collect();
    let mut receipts = Vec::new();
    for w in writes {
        receipts.push(w.await.unwrap().unwrap());
    }
    let mut indices: Vec<u64> = receipts.iter().map(|r| r.index).collect();
    indices.sort();
    assert_eq!(indices, (0..50).collect::<Vec<_>>(), "fifty concurrent submissions, fifty places");
    for r in &receipts {
        let cp = note::open(&r.checkpoint, &vkey, myna_issuance::log::ORIGIN).unwrap();
        let proof: Vec<_> = r.proof.iter().map(|h| myna_link::merkle::hash_from_hex(h).unwrap()).collect();
        myna_link::merkle::verify_inclusion(r.leaf.as_bytes(), r.index, cp.size, &cp.root, &proof).unwrap();
    }

    // Sent again (the answer was lost): the same place, nothing appended.
    let again = log.append(leaf("131016-20261207-000007", 'a')).await.unwrap();
    assert_eq!(again.index, receipts.iter().find(|r| r.leaf.contains("000007")).unwrap().index);
    assert!(again.checkpoint.contains("\n50\n"), "{}", again.checkpoint);
    // The same serial with another document's digest is refused.
    assert!(matches!(log.append(leaf("131016-20261207-000007", 'b')).await, Err(IssuanceLogError::Conflict { .. })));
    let before = log.checkpoint().unwrap();
    drop(log);

    // Restarted: the same tree, the same key, and it grows on.
    let log = IssuanceLog::open(Db::open(&url).await.unwrap()).await.unwrap();
    assert_eq!(log.vkey(), vkey);
    let cp = note::open(&log.checkpoint().unwrap(), &vkey, myna_issuance::log::ORIGIN).unwrap();
    assert_eq!(cp, note::open(&before, &vkey, myna_issuance::log::ORIGIN).unwrap());
    let next = log
        .append(Leaf { event: Event::Withdrawn, at: 1_796_600_100, ..leaf("131016-20261207-000007", 'a') })
        .await
        .unwrap();
    assert_eq!(next.index, 50);
    let (_, entries) = log.of_serial("131016", "131016-20261207-000007").await.unwrap();
    assert_eq!(entries.len(), 2, "its issuance and its withdrawal");
}
