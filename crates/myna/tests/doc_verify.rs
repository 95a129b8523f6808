//! `myna doc verify` as the person holding a printed document uses it: offline, with the
//! issuers' key list, on the PDF or on a scanned code.

use std::process::Command;

use myna_issuance::{Channel, DocKind, Document, Issuer, IssuerKey, KeyList, Person, PublishedKey, pdf};

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
    let list = KeyList {
        issuers: vec![PublishedKey {
            kid: "271004".into(),
            name: "大阪市長".into(),
            public: hex::encode(key.public()),
        }],
    };
    let keys = dir.join("keys.json");
    std::fs::write(&keys, serde_json::to_vec(&list).unwrap()).unwrap();
    let keys = keys.to_str().unwrap();
    let doc = document();
    let code = key.sign(&doc).unwrap();
    let good = dir.join("good.pdf");
    std::fs::write(&good, pdf::render(&doc, &code).unwrap()).unwrap();

    let (status, out, err) = myna(&["doc", "verify", good.to_str().unwrap(), "--keys", keys]);
    assert_eq!(status, 0, "{err}");
    for expected in [
        "VALID: signed by 大阪市長 (271004)",
        "課税・所得証明書",
        "271004-20261207-000003",
        "令和",
        "佐藤 美咲",
        "¥4,120,000",
    ] {
        assert!(out.contains(expected), "{expected:?} not in:\n{out}");
    }

    // The scanned code on its own says the same.
    let scanned = dir.join("scan.txt");
    std::fs::write(&scanned, &code).unwrap();
    let (status, out, _) = myna(&["doc", "verify", scanned.to_str().unwrap(), "--keys", keys]);
    assert_eq!((status, out.contains("VALID: signed by 大阪市長")), (0, true), "{out}");

    // A document whose amount was changed and signed again by another key.
    let mut forged = document();
    forged.lines[0].value = "¥9,120,000".into();
    let other = IssuerKey::from_pkcs8("271004", &IssuerKey::generate().unwrap()).unwrap();
    let bad = dir.join("forged.pdf");
    std::fs::write(&bad, pdf::render(&forged, &other.sign(&forged).unwrap()).unwrap()).unwrap();
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
