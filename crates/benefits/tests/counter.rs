//! 窓口交付: a document issued at the counter from the register as J-LIS holds it, signed by
//! the municipality, readable back from its PDF with the published key; refused for someone
//! who is not this municipality's resident and for a document it does not offer.

use myna_benefits::certificates::{Counter, CounterError, Standing};
use myna_issuance::{Channel, DocKind, IssuerKeys, Options, Refusal, pdf};
use myna_linkage::agency;
use myna_testnet::{ADDRESS, TestNet, any, db};

const CITY: &str = "municipality:131016";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_issues_a_signed_certificate_from_the_register() {
    let net = TestNet::start("counter", 21).await;
    let head = net.born("c-1", "鈴木 一郎", "スズキ イチロウ").await;
    let child = net.born_in("c-2", "鈴木 花子", "スズキ ハナコ", Some(head.household)).await;
    let city = agency::start(db().await, &net.identity(CITY), any(), net.config("千代田区")).await.unwrap();
    city.agency.register().await.unwrap();
    let (_portal, inbox) = net.portal().await;
    // The head is someone the city knows (enrolled by its 4 items); the child is not.
    let view: myna_jlis::ResidentView = net
        .clerk
        .get(format!("{}/v1/residents/{}", net.jlis.url(), head.code))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    city.agency.enrol("chiyoda-0001", myna_link::Enrolment::Items(view.link_items().unwrap())).await.unwrap();
    let counter = Counter::open(db().await, &city.agency).await.unwrap();
    let keys = IssuerKeys::from_list(&counter.keys()).unwrap();

    let household = Options { household: true, relationship: true, ..Options::default() };
    let issued = counter.issue(&city.agency, &head.code, DocKind::ResidentCopy, household, "clerk-1").await.unwrap();
    let doc = keys.open(&pdf::code_of(&issued.pdf).unwrap()).unwrap();
    assert_eq!(doc, issued.document);
    assert_eq!(doc.issuer.code, "131016");
    assert_eq!(doc.issuer.name, "千代田区長");
    assert_eq!(doc.channel, Channel::Counter("clerk-1".into()));
    let names: Vec<&str> = doc.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["鈴木 一郎", "鈴木 花子"], "the resident first, then the household");
    assert!(doc.people.iter().all(|p| p.relationship.is_some() && p.number.is_none()), "no number unless asked");
    assert!(doc.lines.iter().any(|l| l.label == "住所" && l.value.contains("千代田")), "{:?} ({ADDRESS})", doc.lines);

    // The head is told in the portal (本人通知), naming the document and its serial.
    let told = inbox.lock().unwrap().clone();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.title.contains("住民票の写しを交付しました"), "{:?}", told[0].1);
    assert!(told[0].1.body.contains(&doc.serial) && told[0].1.body.contains("窓口交付"), "{:?}", told[0].1);

    // The number only when asked; the serial goes up; both are in the ledger.
    let asked = Options { number: true, ..Options::default() };
    let second = counter.issue(&city.agency, &child.code, DocKind::ResidentCopy, asked, "clerk-1").await.unwrap();
    assert_eq!(second.document.people[0].number.as_deref(), Some(child.number.as_str()));
    assert_ne!(second.document.serial, doc.serial);
    assert_eq!(inbox.lock().unwrap().len(), 1, "someone the city does not know is not told");
    let ledger = counter.issued_for(&child.code).await.unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].0, second.document.serial);

    // The issuer's check: valid; one character of the code changed is not; once withdrawn
    // (with a reason) it says so, and when.
    let a = &city.agency;
    assert!(
        matches!(counter.check(a, &issued.pdf).await.unwrap(), Standing::Valid(c) if c.document == doc && c.logged.is_some())
    );
    let code = pdf::code_of(&issued.pdf).unwrap();
    let mut altered = code.clone().into_bytes();
    let i = altered.len() / 2;
    altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
    assert!(matches!(counter.check(a, &altered).await.unwrap(), Standing::Refused(_)));

    // Both issuances are in J-LIS's transparency log: the receipt each PDF carries proves it
    // offline with J-LIS's published log key, and only for its own document.
    let jlis_keys: myna_issuance::KeyList =
        net.clerk.get(format!("{}/v1/issuers/keys", net.jlis.url())).send().await.unwrap().json().await.unwrap();
    let vkey = jlis_keys.log.expect("J-LIS publishes its issuance log key").vkey;
    let receipt = pdf::receipt_of(&issued.pdf).unwrap().expect("the PDF carries its log receipt");
    let second_receipt = pdf::receipt_of(&second.pdf).unwrap().unwrap();
    assert!(receipt.verify(&doc, &code, &vkey).is_ok());
    assert_ne!(receipt.index, second_receipt.index);
    assert!(
        second_receipt.verify(&doc, &code, &vkey).is_err(),
        "another document's receipt proves nothing of this one"
    );
    // A receipt pasted from another document is refused by the issuer's check.
    let swapped = pdf::render(&doc, &code, Some(&second_receipt)).unwrap();
    assert!(matches!(counter.check(a, &swapped).await.unwrap(), Standing::Refused(r) if r.contains("log")));

    assert!(matches!(counter.withdraw(a, &doc.serial, " ", "clerk-2").await, Err(CounterError::NoReason)));
    assert!(matches!(
        counter.withdraw(a, "131016-20000101-999999", "wrong person", "clerk-2").await,
        Err(CounterError::NoSuchDocument(_))
    ));
    counter.withdraw(a, &doc.serial, "issued to the wrong person", "clerk-2").await.unwrap();
    counter.withdraw(a, &doc.serial, "again", "clerk-2").await.unwrap();
    // Anyone asks the log (no certificate needed): the withdrawal is there, proved, once.
    let status: myna_issuance::log::Status = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .get(format!("{}/v1/issuances/131016/{}", net.jlis.url(), doc.serial))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status.entries.len(), 2, "issued and withdrawn, the second withdrawal not logged again");
    let at = status.withdrawn(&doc, &code, &vkey).unwrap().expect("the withdrawal is in the log");
    assert!(at >= doc.issued_at);
    match counter.check(a, code.as_bytes()).await.unwrap() {
        Standing::Withdrawn { document, reason, .. } => {
            assert_eq!((document.serial, reason.as_str()), (doc.serial.clone(), "issued to the wrong person"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(counter.check(a, &second.pdf).await.unwrap(), Standing::Valid(_)), "the other document stands");

    // 課税・所得証明書 from the city's own tax record of the year, in the data standard layout.
    city.agency
        .put_copy(
            "chiyoda-0001",
            "local_tax",
            None,
            &serde_json::json!({"fiscal_year": 2026, "taxable_income": 4_120_000, "tax_amount": 291_000, "non_taxable": false,
                "dependants": [{"relationship": "子", "birth": "2015-05-05"}]}),
        )
        .await
        .unwrap();
    let tax = Options { year: Some(2026), ..Options::default() };
    let issued = counter.issue(&city.agency, &head.code, DocKind::TaxIncome, tax, "clerk-1").await.unwrap();
    let lines: Vec<(String, String)> =
        issued.document.lines.iter().map(|l| (l.label.clone(), l.value.clone())).collect();
    for (label, value) in [
        ("年度", "令和8年度（2025年中の所得）"),
        ("総所得金額等", "¥4,120,000"),
        ("所得割額", "¥291,000"),
        ("課税区分", "課税"),
        ("扶養親族", "1人"),
    ] {
        assert!(lines.contains(&(label.to_string(), value.to_string())), "{label} {value} not in {lines:?}");
    }
    let other_year = Options { year: Some(2024), ..Options::default() };
    assert!(matches!(
        counter.issue(&city.agency, &head.code, DocKind::TaxIncome, other_year, "clerk-1").await,
        Err(CounterError::NoTaxRecord(y)) if y == "令和6年度"
    ));
    assert!(
        matches!(
            counter.issue(&city.agency, &child.code, DocKind::TaxIncome, tax, "clerk-1").await,
            Err(CounterError::NoTaxRecord(_))
        ),
        "no record of the child"
    );
    assert!(matches!(
        counter.issue(&city.agency, &head.code, DocKind::TaxIncome, Options::default(), "clerk-1").await,
        Err(CounterError::Refused(Refusal::NoYear))
    ));

    // Not offered here (no family register), and not a resident of this municipality.
    assert!(matches!(
        counter.issue(&city.agency, &head.code, DocKind::FamilyRegisterAddresses, Options::default(), "clerk-1").await,
        Err(CounterError::Refused(Refusal::NotOffered(DocKind::FamilyRegisterAddresses)))
    ));
    assert!(matches!(
        counter.issue(&city.agency, "99999999999", DocKind::ResidentCopy, Options::default(), "clerk-1").await,
        Err(CounterError::NotHere(_) | CounterError::Jlis(_))
    ));
}

/// A seal scanned on paper: a ring and a bar of ink, off-centre on a white sheet.
fn scan(w: u32, h: u32, r: f64) -> Vec<u8> {
    let (cx, cy) = (f64::from(w) * 0.4, f64::from(h) * 0.6);
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        let d = ((f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2)).sqrt();
        let bar = (f64::from(x) - cx).abs() < r * 0.15 && d < r;
        image::Luma([if (d < r && d > r * 0.85) || bar { 30 } else { 245 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// 印鑑登録 and its certificate: a seal registered from a scan for a resident of 15 or more,
/// its 印鑑登録証明書 printed with the impression and its digest signed; a new seal replaces
/// the old; an ended registration and a resident without one get no certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_seal_is_certified_with_its_impression() {
    let net = TestNet::start("counter-seal", 24).await;
    let adult = net.born("s-1", "印鑑 太郎", "インカン タロウ").await;
    let other = net.born("s-2", "印鑑 次郎", "インカン ジロウ").await;
    // A child born this year, in the same household.
    let v: serde_json::Value = net
        .clerk
        .post(format!("{}/v1/events", net.jlis.url()))
        .header("idempotency-key", "s-3")
        .json(&serde_json::json!({"kind": "birth", "on": "2026-01-05", "name": "印鑑 花子", "kana": "インカン ハナコ",
            "sex": "female", "address": ADDRESS, "household": adult.household}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let child = v["resident"]["code"].as_str().expect("the child's code").to_string();
    let city = agency::start(db().await, &net.identity(CITY), any(), net.config("千代田区")).await.unwrap();
    let counter = Counter::open(db().await, &city.agency).await.unwrap();
    let a = &city.agency;

    assert!(matches!(
        counter.register_seal(a, &child, &scan(300, 300, 50.0), "clerk-1").await,
        Err(CounterError::Seal(_))
    ));
    assert!(matches!(
        counter.register_seal(a, &adult.code, b"not a picture", "clerk-1").await,
        Err(CounterError::Seal(_))
    ));
    assert!(matches!(
        counter.issue(a, &adult.code, DocKind::SealRegistration, Options::default(), "clerk-1").await,
        Err(CounterError::Seal(_))
    ));
    let first = counter.register_seal(a, &adult.code, &scan(400, 300, 60.0), "clerk-1").await.unwrap();
    let issued = counter.issue(a, &adult.code, DocKind::SealRegistration, Options::default(), "clerk-1").await.unwrap();
    let digest = counter.seal_of(&adult.code).await.unwrap().unwrap().impression.digest();
    let lines: Vec<(&str, &str)> = issued.document.lines.iter().map(|l| (l.label.as_str(), l.value.as_str())).collect();
    assert!(lines.contains(&("印鑑登録番号", first.to_string().as_str())), "{lines:?}");
    assert!(lines.contains(&("印影 (SHA-256)", digest.as_str())), "{lines:?}");
    assert!(issued.pdf.windows(13).any(|w| w == b"/Subtype /Ima"), "the impression is printed");
    assert!(matches!(counter.check(a, &issued.pdf).await.unwrap(), Standing::Valid(_)));

    // 改印: a new seal replaces the old one, under a new number.
    let second = counter.register_seal(a, &adult.code, &scan(400, 300, 40.0), "clerk-1").await.unwrap();
    assert_ne!(first, second);
    let now = counter.seal_of(&adult.code).await.unwrap().unwrap();
    assert_eq!(now.number, second);
    assert_ne!(now.impression.digest(), digest);
    // Ended: no certificate any more; someone who never registered gets none either.
    assert!(matches!(counter.end_seal(&adult.code, " ", "clerk-1").await, Err(CounterError::NoReason)));
    counter.end_seal(&adult.code, "本人の申請による廃止", "clerk-1").await.unwrap();
    assert!(matches!(counter.end_seal(&adult.code, "again", "clerk-1").await, Err(CounterError::Seal(_))));
    for who in [&adult.code, &other.code] {
        assert!(matches!(
            counter.issue(a, who, DocKind::SealRegistration, Options::default(), "clerk-1").await,
            Err(CounterError::Seal(_))
        ));
    }
}

/// Many clerks issuing at once never hand one resident another's document, and no serial is
/// given twice (the 2023 incident printed a certificate of residence for the wrong person).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_issued_at_once_each_name_their_own_resident() {
    let net = TestNet::start("counter-parallel", 23).await;
    let mut people = Vec::new();
    for i in 0..12 {
        people.push(
            net.born(&format!("p-{i}"), &format!("並行 {}", ["一郎", "二郎", "三郎", "四郎"][i % 4]), "ヘイコウ").await,
        );
    }
    let city = agency::start(db().await, &net.identity(CITY), any(), net.config("千代田区")).await.unwrap();
    let counter = std::sync::Arc::new(Counter::open(db().await, &city.agency).await.unwrap());
    let keys = IssuerKeys::from_list(&counter.keys()).unwrap();
    let mut tasks = Vec::new();
    for round in 0..3 {
        for p in &people {
            let (counter, agency, code, number) =
                (counter.clone(), city.agency.clone(), p.code.clone(), p.number.clone());
            tasks.push(tokio::spawn(async move {
                let asked = Options { number: true, ..Options::default() };
                let issued = counter
                    .issue(&agency, &code, DocKind::ResidentCopy, asked, &format!("clerk-{round}"))
                    .await
                    .unwrap();
                (code, number, issued)
            }));
        }
    }
    let mut serials = std::collections::BTreeSet::new();
    for t in tasks {
        let (code, number, issued) = t.await.unwrap();
        let doc = keys.open(&pdf::code_of(&issued.pdf).unwrap()).unwrap();
        assert_eq!(doc, issued.document);
        assert_eq!(doc.people.len(), 1);
        assert_eq!(doc.people[0].number.as_deref(), Some(number.as_str()), "resident {code} got another's document");
        assert!(serials.insert(doc.serial.clone()), "serial {} given twice", doc.serial);
        let ledger = counter.issued_for(&code).await.unwrap();
        assert!(ledger.iter().any(|(s, ..)| *s == doc.serial), "{code}'s ledger lacks {}", doc.serial);
    }
    assert_eq!(serials.len(), 36);
}
