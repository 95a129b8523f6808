//! The qualification system end to end on real nodes (the hub, J-LIS, the system): an
//! examining body records a pass; the person applies with the card and J-LIS names them (no
//! 戸籍抄本 or 住民票); the clerk registers against the pass; the holder gets an SD-JWT VC bound
//! to their wallet key and shows a hospital only the registration number and name; the
//! hospital checks the issuer's signature from its published keys and the status list; once
//! the registration ends, the list says so and no new credential is issued. Each wrong
//! request is refused with its reason.

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _},
};
use base64ct::{Base64, Encoding as _};
use myna_credential::{
    Jwk, Status, StatusList,
    sdjwt::{self, Expect, KeyBinding},
};
use myna_testnet::{BIRTH, TestNet, any, db};
use serde_json::{Value, json};

fn signed(card: &myna_testkit::card::TestCard, message: &Value) -> Value {
    let bytes = message.to_string().into_bytes();
    let (certificate, signature) = card.sign_document(&bytes);
    json!({"certificate": certificate, "message": Base64::encode_string(&bytes), "signature": signature})
}

async fn post(c: &reqwest::Client, url: String, body: &Value, token: Option<&str>) -> (u16, Value) {
    let mut r = c.post(url).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_an_application_a_registration_and_a_credential_shown_to_a_hospital() {
    let net = TestNet::start("qualifications", 26).await;
    let doctor = net.born("q-1", "厚労 花子", "コウロウ ハナコ").await;
    let other = net.born("q-2", "別人 次郎", "ベツジン ジロウ").await;
    let started = myna_qualifications::start(
        db().await,
        &net.identity(myna_qualifications::ID),
        any(),
        net.config("国家資格等情報連携・活用システム"),
    )
    .await
    .unwrap();
    let base = started.agency.node.url();
    let clerk = started.agency.clerk_token.clone();
    let anyone = net.identity("applicant-tool").client().unwrap();
    let examiner = net.identity("examiner:mhlw-national-exams").client().unwrap();
    let now = myna_node::now_secs();

    // The examining body's pass; a municipality may not record one.
    let pass = json!({"qualification": "医師", "exam_number": "118-A-0001", "name": "厚労　花子", "birth": BIRTH, "passed_on": "2026-03-16"});
    assert_eq!(post(&examiner, format!("{base}/v1/examinations"), &pass, None).await.0, 204);
    assert_eq!(post(&net.clerk, format!("{base}/v1/examinations"), &pass, None).await.0, 403);
    let (status, why) = post(
        &examiner,
        format!("{base}/v1/examinations"),
        &json!({"qualification": "弁護士", "exam_number": "1", "name": "x", "birth": BIRTH, "passed_on": "2026-03-16"}),
        None,
    )
    .await;
    assert_eq!(status, 422, "{why}");

    // The application, signed with the card: J-LIS names the applicant.
    let app = json!({"kind": "qualification_application", "qualification": "physician", "exam_number": "118-A-0001", "at": now});
    let (status, view) = post(&anyone, format!("{base}/v1/applications"), &signed(&doctor.card, &app), None).await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(view["name"], "厚労 花子");
    assert_eq!(view["birth"], BIRTH);
    assert!(view["address"].as_str().unwrap().contains("千代田区"), "{view}");
    assert_eq!(view["pass_found"], true, "{view}");
    // Someone else applying under the doctor's examination number: J-LIS names them, and the
    // pass does not match them.
    let (_, theirs) = post(&anyone, format!("{base}/v1/applications"), &signed(&other.card, &app), None).await;
    assert_eq!(theirs["pass_found"], false, "{theirs}");
    let stale = json!({"kind": "qualification_application", "qualification": "physician", "exam_number": "118-A-0001", "at": now - 3600});
    assert_eq!(post(&anyone, format!("{base}/v1/applications"), &signed(&doctor.card, &stale), None).await.0, 422);

    // The clerk's list and registration.
    let r = anyone.get(format!("{base}/v1/applications")).bearer_auth(&clerk).send().await.unwrap();
    let pending: Value = r.json().await.unwrap();
    assert_eq!(pending.as_array().unwrap().len(), 2);
    assert_eq!(anyone.get(format!("{base}/v1/applications")).send().await.unwrap().status().as_u16(), 401);
    let id = view["id"].as_i64().unwrap();
    let (status, why) =
        post(&anyone, format!("{base}/v1/applications/{}/register", theirs["id"]), &json!({}), Some(&clerk)).await;
    assert_eq!(status, 409, "no pass of theirs: {why}");
    let (status, registered) =
        post(&anyone, format!("{base}/v1/applications/{id}/register"), &json!({}), Some(&clerk)).await;
    assert_eq!(status, 201, "{registered}");
    let number = registered["number"].as_i64().unwrap();
    assert_eq!(post(&anyone, format!("{base}/v1/applications/{id}/register"), &json!({}), Some(&clerk)).await.0, 409);

    // The holder's credential, bound to the wallet's key; only the registered person gets it.
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
    let wallet = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).unwrap();
    let holder = Jwk::p256(wallet.public_key().as_ref()).unwrap();
    let ask = json!({"kind": "qualification_credential", "registration": number, "holder": holder, "at": now});
    let (status, _) = post(&anyone, format!("{base}/v1/credentials"), &signed(&other.card, &ask), None).await;
    assert_eq!(status, 404, "not theirs");
    let (status, answer) = post(&anyone, format!("{base}/v1/credentials"), &signed(&doctor.card, &ask), None).await;
    assert_eq!(status, 200, "{answer}");
    let credential = answer["credential"].as_str().unwrap();

    // The hospital asks for the qualification, the number and the name; nothing else shows.
    let sign = |m: &[u8]| wallet.sign(&SystemRandom::new(), m).map(|s| s.as_ref().to_vec()).map_err(|e| e.to_string());
    let kb = KeyBinding {
        aud: "https://hospital.example",
        nonce: "hire-1",
        iat: myna_node::now_secs(),
        alg: "ES256",
        sign: &sign,
    };
    let shown = sdjwt::present(credential, &["registration_number", "name"], Some(kb)).unwrap();
    let meta: Value =
        anyone.get(format!("{base}/.well-known/jwt-vc-issuer")).send().await.unwrap().json().await.unwrap();
    let issuer_jwk: Jwk = serde_json::from_value(meta["jwks"]["keys"][0].clone()).unwrap();
    let iss = meta["issuer"].as_str().unwrap().to_string();
    let keys = |i: &str, _: Option<&str>| (i == iss).then(|| issuer_jwk.clone());
    let expect = Expect { aud: "https://hospital.example", nonce: "hire-1", now: myna_node::now_secs(), max_age: 300 };
    let v = sdjwt::verify(&shown.text, &keys, &expect).unwrap();
    assert_eq!(v.claims["qualification"], "医師");
    assert_eq!(v.claims["registration_number"], number.to_string());
    assert_eq!(v.claims["name"], "厚労 花子");
    assert!(!v.claims.contains_key("birthdate") && !v.claims.contains_key("name_kana"));
    let (uri, idx) = v.status.clone().unwrap();
    let list = |uri: String| {
        let (a, k) = (anyone.clone(), issuer_jwk.clone());
        async move {
            let token = a.get(&uri).send().await.unwrap().text().await.unwrap();
            StatusList::open(&token, &k, &uri).unwrap()
        }
    };
    assert_eq!(list(uri.clone()).await.status(idx), Ok(Status::Valid));
    let uri = uri.clone();

    // J-LIS records the doctor's name change and the other person's death (both registered):
    // the sync takes the new name in without an application and ends the other ex officio.
    let pass2 = json!({"qualification": "看護師", "exam_number": "112-N-0042", "name": "別人 次郎", "birth": BIRTH, "passed_on": "2026-03-26"});
    assert_eq!(post(&examiner, format!("{base}/v1/examinations"), &pass2, None).await.0, 204);
    let app2 =
        json!({"kind": "qualification_application", "qualification": "nurse", "exam_number": "112-N-0042", "at": now});
    let (_, view2) = post(&anyone, format!("{base}/v1/applications"), &signed(&other.card, &app2), None).await;
    let (status, reg2) =
        post(&anyone, format!("{base}/v1/applications/{}/register", view2["id"]), &json!({}), Some(&clerk)).await;
    assert_eq!(status, 201, "{reg2}");
    let event = |body: Value| {
        let c = net.clerk.clone();
        let url = format!("{}/v1/events", net.jlis.url());
        async move {
            let r = c
                .post(url)
                .header("idempotency-key", body["kind"].as_str().unwrap_or("e").to_string() + "-q")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        }
    };
    event(json!({"kind": "name_change", "on": "2026-12-01", "resident": doctor.code, "name": "新姓 花子", "kana": "シンセイ ハナコ"})).await;
    event(json!({"kind": "death", "on": "2026-12-02", "resident": other.code})).await;
    let (status, synced) = post(&anyone, format!("{base}/v1/registrations/sync"), &json!({}), Some(&clerk)).await;
    assert_eq!(status, 200, "{synced}");
    assert_eq!(synced, json!({"checked": 2, "ended": 1, "renamed": 1}));
    let (status, again) = post(&anyone, format!("{base}/v1/registrations/sync"), &json!({}), Some(&clerk)).await;
    assert_eq!((status, again), (200, json!({"checked": 1, "ended": 0, "renamed": 0})), "nothing twice");
    let read = |n: Value| {
        let (a, c, b) = (anyone.clone(), clerk.clone(), base.clone());
        async move {
            a.get(format!("{b}/v1/registrations/{n}"))
                .bearer_auth(c)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let renamed = read(json!(number)).await;
    assert_eq!((renamed["name"].as_str(), renamed["status"].as_str()), (Some("新姓 花子"), Some("valid")), "{renamed}");
    let dead = read(reg2["number"].clone()).await;
    assert_eq!(dead["status"], "ended");
    assert!(dead["reason"].as_str().unwrap().contains("死亡"), "{dead}");
    // The name change revoked the card's signing certificate at J-LIS: a request signed with
    // it is refused until the holder gets a new one.
    let (status, why) = post(&anyone, format!("{base}/v1/credentials"), &signed(&doctor.card, &ask), None).await;
    assert_eq!(status, 403, "{why}");
    assert!(why.to_string().contains("revoked"), "{why}");
    let other_idx = {
        let token = anyone.get(&uri).send().await.unwrap().text().await.unwrap();
        let l = StatusList::open(&token, &issuer_jwk, &uri).unwrap();
        (0..4).filter(|i| l.status(*i) == Ok(Status::Invalid)).count()
    };
    assert_eq!(other_idx, 1, "the deceased's registration is invalid in the list");

    // The registration ends (取消): the hospital sees it, and no new credential is issued.
    let (status, _) =
        post(&anyone, format!("{base}/v1/registrations/{number}/end"), &json!({"reason": " "}), Some(&clerk)).await;
    assert_eq!(status, 422, "a reason is required");
    let (status, _) = post(
        &anyone,
        format!("{base}/v1/registrations/{number}/end"),
        &json!({"reason": "免許取消（医道審議会）"}),
        Some(&clerk),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(list(uri).await.status(idx), Ok(Status::Invalid));
}
