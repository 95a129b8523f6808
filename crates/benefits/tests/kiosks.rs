//! コンビニ交付 with many stores at once: eight kiosks, each with its own certificate, print for
//! eight people at the same time through J-LIS's centre and 千代田区's certificate server, three
//! rounds. Each PDF names the person whose card was on that kiosk's reader — never another's
//! (the 2023 incident printed a certificate of residence for the wrong person) — and each
//! serial is given once. Outside 千代田区's kiosk hours (6:30–23:00 JST, not 12/29–1/3) every
//! order is refused with that reason instead, and nothing is printed.

use myna_issuance::{IssuerKeys, KeyList, pdf};
use myna_linkage::agency;
use myna_testnet::{TestNet, any, db};
use serde_json::{Value, json};

const CITY: &str = "municipality:131016";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_kiosks_at_once_each_print_their_own_persons_document() {
    let net = TestNet::start("kiosks", 25).await;
    let mut people = Vec::new();
    for i in 0..8 {
        people.push(net.born(&format!("k-{i}"), &format!("店舗 太郎{i}"), "テンポ タロウ").await);
    }
    let city = agency::start(db().await, &net.identity(CITY), any(), net.config("千代田区")).await.unwrap();
    let payer = myna_zengin::Requester {
        code: "1310160001".into(),
        name: "チヨダク".into(),
        bank: ("0001".into(), String::new()),
        branch: ("001".into(), String::new()),
        kind: myna_zengin::AccountKind::Current,
        number: "1234567".into(),
    };
    let _office = myna_benefits::start(
        db().await,
        city.agency.clone(),
        &net.identity("benefits-131016"),
        any(),
        (payer, "https://portal.invalid"),
        (Default::default(), None),
        None,
    )
    .await
    .unwrap();
    let jlis = net.jlis.url();
    let mut list = KeyList::default();
    for _ in 0..100 {
        list = net.clerk.get(format!("{jlis}/v1/issuers/keys")).send().await.unwrap().json().await.unwrap();
        if list.issuers.iter().any(|k| k.kid == "131016") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let keys = IssuerKeys::from_list(&list).unwrap();
    let later = myna_node::now_secs() + 300;

    let mut tasks = Vec::new();
    for round in 0..3 {
        for (i, p) in people.iter().enumerate() {
            let kiosk = net.identity(&format!("kiosk:store-{i:04}")).client().unwrap();
            let store = format!("kiosk:store-{i:04}");
            // A distinct challenge each time (the expiry differs), as the kiosk's book makes.
            let (challenge, certificate, signature) = p.card.login(&store, later + round);
            let (jlis, code, name) = (jlis.clone(), p.code.clone(), p.name.clone());
            tasks.push(tokio::spawn(async move {
                let session: Value = kiosk
                    .post(format!("{jlis}/v1/kiosk/sessions"))
                    .json(&json!({"challenge": challenge, "certificate": certificate, "signature": signature}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let r = kiosk
                    .post(format!("{jlis}/v1/kiosk/documents"))
                    .json(&json!({"session": session["session"], "kind": "resident_copy", "options": {}}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (code, name, status, r.bytes().await.unwrap().to_vec())
            }));
        }
    }
    let mut serials = std::collections::BTreeSet::new();
    let mut refused = 0;
    for t in tasks {
        let (code, name, status, body) = t.await.unwrap();
        if status == 409 {
            let text = String::from_utf8_lossy(&body);
            assert!(text.contains("6:30") || text.contains("年末年始"), "refused for another reason: {text}");
            refused += 1;
            continue;
        }
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let doc = keys.open(&pdf::code_of(&body).unwrap()).unwrap();
        assert_eq!(doc.people.len(), 1);
        assert_eq!(doc.people[0].name, name, "resident {code} got another's document");
        assert!(serials.insert(doc.serial.clone()), "serial {} given twice", doc.serial);
    }
    assert!(refused == 0 || refused == 24, "all printed within hours, all refused outside them: {refused} refused");
    assert_eq!(serials.len() + refused, 24);
}
