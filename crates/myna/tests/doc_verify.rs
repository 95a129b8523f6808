//! `myna doc verify` as the person holding a printed document uses it: offline, with the
//! issuers' key list, on the PDF or on a scanned code.

use std::process::Command;

use myna_issuance::{
    Channel, DocKind, Document, Issuer, IssuerKey, KeyList, LogKey, Person, PublishedKey,
    log::{self, Receipt},
    pdf,
};
use myna_link::{
    merkle::{self, Tree},
    note::{Checkpoint, NoteSigner},
};

/// A log of `leaves` as J-LIS keeps it, and the receipt of its last leaf.
fn logged(note: &NoteSigner, leaves: &[log::Leaf]) -> Receipt {
    let mut tree = Tree::new();
    let texts: Vec<String> = leaves.iter().map(|l| String::from_utf8(l.bytes()).unwrap()).collect();
    for t in &texts {
        tree.push(merkle::leaf_hash(t.as_bytes()));
    }
    let (size, last) = (tree.len(), tree.len() - 1);
    Receipt {
        index: last,
        leaf: texts[last as usize].clone(),
        proof: tree.inclusion(last, size).unwrap().iter().map(hex::encode).collect(),
        checkpoint: note.sign(&Checkpoint { origin: log::ORIGIN.into(), size, root: tree.root(size).unwrap() }),
    }
}

fn myna(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_myna")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn document() -> Document {
    Document {
        serial: "271004-20261207-000003".into(),
        kind: DocKind::TaxIncome,
        issuer: Issuer { code: "271004".into(), name: "大阪市長".into() },
        issued_at: 1_796_600_000,
        channel: Channel::Counter("clerk-7".into()),
        people: vec![Person {
            name: "佐藤 美咲".into(),
            kana: None,
            birth: "1979-02-14".into(),
            sex: None,
            relationship: None,
            number: None,
        }],
        lines: vec![myna_issuance::Line { label: "総所得金額".into(), value: "¥4,120,000".into() }],
    }
}

#[test]
fn a_document_is_checked_offline_and_an_altered_or_foreign_one_refused() {
    let dir = std::env::temp_dir().join(format!("myna-doc-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = IssuerKey::from_pkcs8("271004", &IssuerKey::generate().unwrap()).unwrap();
    let note = NoteSigner::from_seed(log::ORIGIN, &[9; 32]).unwrap();
    let list = KeyList {
        issuers: vec![PublishedKey {
            kid: "271004".into(),
            name: "大阪市長".into(),
            public: hex::encode(key.public()),
        }],
        log: Some(LogKey { origin: log::ORIGIN.into(), vkey: note.vkey() }),
    };
    let keys = dir.join("keys.json");
    std::fs::write(&keys, serde_json::to_vec(&list).unwrap()).unwrap();
    let keys = keys.to_str().unwrap();
    let doc = document();
    let code = key.sign(&doc).unwrap();
    let good = dir.join("good.pdf");
    let receipt = logged(&note, &[log::Leaf::issued(&doc, "JPDOC1:OTHER"), log::Leaf::issued(&doc, &code)]);
    std::fs::write(&good, pdf::render(&doc, &code, Some(&receipt)).unwrap()).unwrap();

    let (status, out, err) = myna(&["doc", "verify", good.to_str().unwrap(), "--keys", keys]);
    assert_eq!(status, 0, "{err}");
    for expected in [
        "VALID: signed by 大阪市長 (271004)",
        "課税・所得証明書",
        "271004-20261207-000003",
        "令和",
        "佐藤 美咲",
        "¥4,120,000",
        "entry 1 of J-LIS's issuance log, proved in its checkpoint of 2 entries",
    ] {
        assert!(out.contains(expected), "{expected:?} not in:\n{out}");
    }

    // The scanned code on its own says the same.
    let scanned = dir.join("scan.txt");
    std::fs::write(&scanned, &code).unwrap();
    let (status, out, _) = myna(&["doc", "verify", scanned.to_str().unwrap(), "--keys", keys]);
    assert_eq!((status, out.contains("VALID: signed by 大阪市長")), (0, true), "{out}");
    assert!(out.contains("no log receipt in what was given"), "{out}");

    // The receipt of another document's log entry pasted into this one's PDF.
    let pasted = dir.join("pasted.pdf");
    let wrong = Receipt { index: 0, ..receipt.clone() };
    std::fs::write(&pasted, pdf::render(&doc, &code, Some(&wrong)).unwrap()).unwrap();
    let (status, _, err) = myna(&["doc", "verify", pasted.to_str().unwrap(), "--keys", keys]);
    assert_eq!(status, 1);
    assert!(err.contains("NOT VALID") && err.contains("not in the log"), "{err}");

    // A document whose amount was changed and signed again by another key.
    let mut forged = document();
    forged.lines[0].value = "¥9,120,000".into();
    let other = IssuerKey::from_pkcs8("271004", &IssuerKey::generate().unwrap()).unwrap();
    let bad = dir.join("forged.pdf");
    std::fs::write(&bad, pdf::render(&forged, &other.sign(&forged).unwrap(), None).unwrap()).unwrap();
    let (status, out, err) = myna(&["doc", "verify", bad.to_str().unwrap(), "--keys", keys]);
    assert_eq!(status, 1, "{out}");
    assert!(err.contains("NOT VALID") && err.contains("altered"), "{err}");

    // One character of the code in the PDF changed.
    let mut bytes = std::fs::read(&good).unwrap();
    let at = bytes.windows(11).position(|w| w == b"/MynaCode (").unwrap() + 11 + code.len() / 2;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let altered = dir.join("altered.pdf");
    std::fs::write(&altered, bytes).unwrap();
    let (status, _, err) = myna(&["doc", "verify", altered.to_str().unwrap(), "--keys", keys]);
    assert_eq!(status, 1);
    assert!(err.contains("NOT VALID"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
