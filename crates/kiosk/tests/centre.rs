//! J-LIS's issuance centre refuses what a kiosk must not get: a caller that is not a kiosk, a
//! card signature made for another kiosk, one used before, one too old, a suspended card, and
//! a holder whose municipality does not issue at stores — each with its reason.

use myna_testnet::TestNet;
use serde_json::{Value, json};

async fn session(client: &reqwest::Client, jlis: &str, proof: (String, String, String)) -> (u16, String) {
    let (challenge, certificate, signature) = proof;
    let r = client
        .post(format!("{jlis}/v1/kiosk/sessions"))
        .json(&json!({"challenge": challenge, "certificate": certificate, "signature": signature}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or_default();
    (status, v["error"]["message"].as_str().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_centre_refuses_each_bad_card_signature_with_its_reason() {
    let net = TestNet::start("kiosk-centre", 31).await;
    let person = net.born("k-1", "角 一郎", "スミ イチロウ").await;
    let jlis = net.jlis.url();
    let kiosk = net.identity("kiosk:store-0009").client().unwrap();
    let later = myna_node::now_secs() + 120;

    // Not a kiosk: the authorization table refuses before anything is read.
    let (status, _) = session(&net.clerk, &jlis, person.card.login("kiosk:store-0009", later)).await;
    assert_eq!(status, 403);
    // A challenge of another kiosk (or of a website) does not open a session here.
    let (status, why) = session(&kiosk, &jlis, person.card.login("kiosk:store-0001", later)).await;
    assert_eq!(status, 401, "{why}");
    assert!(why.contains("not of this kiosk"), "{why}");
    // Too old.
    let (status, why) = session(&kiosk, &jlis, person.card.login("kiosk:store-0009", myna_node::now_secs() - 5)).await;
    assert_eq!(status, 401, "{why}");
    // A good signature, but 千代田区 has not registered a certificate server: said so.
    let (status, why) = session(&kiosk, &jlis, person.card.login("kiosk:store-0009", later)).await;
    assert_eq!(status, 409, "{why}");
    assert!(why.contains("コンビニ交付を行っていません"), "{why}");
    // The same signature again: used.
    let (status, why) = session(&kiosk, &jlis, person.card.login("kiosk:store-0009", later)).await;
    assert_eq!(status, 401, "{why}");
    assert!(why.contains("already used"), "{why}");
    // A suspended card.
    let r = net
        .clerk
        .post(format!("{jlis}/v1/cards/{}/suspend", person.card.number))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (status, why) = session(&kiosk, &jlis, person.card.login("kiosk:store-0009", later + 1)).await;
    assert_eq!(status, 401, "{why}");
    // An order in a session that does not exist.
    let r = kiosk
        .post(format!("{jlis}/v1/kiosk/documents"))
        .json(&json!({"session": "00".repeat(16), "kind": "resident_copy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // A municipality publishes its own document key through J-LIS, and no other's.
    let keys = json!({"issuers": [
        {"kid": "131016", "name": "千代田区長", "public": "04aa"},
        {"kid": "271004", "name": "大阪市長", "public": "04bb"}
    ]});
    let r = net
        .clerk
        .post(format!("{jlis}/v1/issuers"))
        .json(&json!({"url": "https://localhost:1", "keys": keys}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let published: Value = net.clerk.get(format!("{jlis}/v1/issuers/keys")).send().await.unwrap().json().await.unwrap();
    assert_eq!(published["issuers"], json!([{"kid": "131016", "name": "千代田区長", "public": "04aa"}]));
    assert!(published["log"]["vkey"].as_str().is_some_and(|k| k.starts_with("jlis.myna.invalid/issuances+")));
}
