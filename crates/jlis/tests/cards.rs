//! The card's life at J-LIS over real HTTPS: application, issuance into a software card,
//! signatures checked, suspension in the CRL and OCSP, revocation after a move and on death,
//! a municipal lock reset, and a verifier's consented access to the latest 4 items.

use std::net::SocketAddr;

use base64ct::{Base64, Encoding};
use myna_jlis::store::RegistryStore;
use myna_node::{NodeIdentity, RunningNode};
use myna_pki::softcard::{KdfParams, SoftCard};
use myna_pki::token::CardToken;
use myna_pki::{CardCert, CertKind, RevocationList, Secret, Status, TrustStore, ocsp};
use myna_store::Db;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Node {
    node: RunningNode,
    client: Client,
}

async fn start(db: Db) -> Node {
    let dir = std::env::temp_dir().join(format!("myna-jlis-cards-{}-{}", std::process::id(), nanos()));
    let identity = NodeIdentity::load_or_create(&dir, "jlis", &[]).unwrap();
    let store = RegistryStore::open(db, || [7; 32]).await.unwrap();
    let node = myna_jlis::start(store, &identity, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    // The municipality's clerk system, named by its network certificate.
    let client = NodeIdentity::load_or_create(&dir, "municipality:131016", &[]).unwrap().client().unwrap();
    Node { node, client }
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Node {
    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.node.url())
    }

    async fn post(&self, p: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(p))
            .header("idempotency-key", nanos().to_string())
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = res.status();
        let text = res.text().await.unwrap();
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, p: &str) -> (StatusCode, Value) {
        let res = self.client.get(self.url(p)).send().await.unwrap();
        (res.status(), res.json().await.unwrap_or(Value::Null))
    }

    async fn bytes(&self, p: &str) -> Vec<u8> {
        self.client.get(self.url(p)).send().await.unwrap().bytes().await.unwrap().to_vec()
    }

    async fn trust(&self) -> TrustStore {
        let (_, ca) = self.get("/v1/jpki/ca").await;
        let der = |k: &str| der_of(ca[k].as_str().unwrap());
        TrustStore::new(&der("root"), &[&der("signing"), &der("user_auth")]).unwrap()
    }

    /// A resident with a freshly issued card: (resident code, card number, card, reset key).
    async fn resident_with_card(&self, name: &str) -> (String, String, SoftCard<Vec<u8>>, String) {
        let (s, rec) = self
            .post("/v1/events", json!({"kind": "first_registration", "on": "2020-04-01", "name": name, "kana": "ヤマダ タロウ", "birth": "1990-06-15", "sex": "male", "address": "東京都千代田区霞が関二丁目1番地2号"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rec}");
        let code = rec["resident"]["code"].as_str().unwrap().to_string();
        let (s, applied) = self.post("/v1/cards/applications", json!({"resident": code})).await;
        assert_eq!(s, StatusCode::CREATED, "{applied}");
        assert_eq!(applied["status"], "applied");
        let number = applied["card"].as_str().unwrap().to_string();
        let (mut card, new) = SoftCard::create(&password(), &pin(), KdfParams::LIGHT, Vec::new()).unwrap();
        let reset = hex::encode(new.reset_key);
        let body = json!({"signing_csr": pem("CERTIFICATE REQUEST", &new.signing_csr), "user_auth_csr": pem("CERTIFICATE REQUEST", &new.user_auth_csr), "reset_key": reset});
        let (s, issued) = self.post(&format!("/v1/cards/{number}/issue"), body).await;
        assert_eq!(s, StatusCode::CREATED, "{issued}");
        let cert = |k: &str| {
            issued["certificates"].as_array().unwrap().iter().find(|c| c["kind"] == k).unwrap()["pem"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let expires = time::Date::parse(
            issued["expires"].as_str().unwrap(),
            &time::format_description::well_known::Iso8601::DATE,
        )
        .unwrap();
        card.install(&number, expires, &cert("sign"), &cert("auth")).unwrap();
        (code, number, card, reset)
    }
}

use myna_pki::pem;

fn der_of(pem: &str) -> Vec<u8> {
    myna_pki::from_pem(pem, "CERTIFICATE").unwrap()
}

fn pin() -> Secret {
    Secret::new(CertKind::UserAuth, "1234").unwrap()
}

fn password() -> Secret {
    Secret::new(CertKind::Signing, "ABC123").unwrap()
}

use myna_pki::sha256;

fn cert_of(card: &SoftCard<Vec<u8>>, kind: CertKind) -> CardCert {
    CardCert::parse(card.certificate(kind).unwrap().as_bytes()).unwrap()
}

async fn check(n: &Node, card: &mut SoftCard<Vec<u8>>, secret: &Secret, purpose: &str) -> Value {
    let msg = b"application for a certificate of residence";
    let sig = card.sign_digest(secret, &sha256(msg)).unwrap();
    let cert = cert_of(card, secret.kind());
    let (s, v) = n
        .post("/v1/jpki/verify", json!({"certificate": cert.to_pem(), "message": Base64::encode_string(msg), "signature": Base64::encode_string(&sig), "purpose": purpose}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

#[tokio::test]
async fn card_life_at_jlis() {
    for db in myna_testkit::fresh_dbs().await.unwrap() {
        let n = start(db).await;
        let trust = n.trust().await;
        let (code, number, mut card, _) = n.resident_with_card("山田 太郎").await;

        // The signing certificate carries the 4 items; signatures verify; wrong purpose refused.
        let v = check(&n, &mut card, &password(), "sign").await;
        assert_eq!(v["valid"], true, "{v}");
        assert_eq!(v["holder"]["name"], "山田 太郎");
        assert_eq!(v["holder"]["birth"], "1990-06-15");
        let v = check(&n, &mut card, &password(), "auth").await;
        assert_eq!(v["valid"], false);
        assert!(v["reason"].as_str().unwrap().contains("user-authentication"), "{v}");
        let v = check(&n, &mut card, &pin(), "auth").await;
        assert_eq!(v["valid"], true, "{v}");

        // A second application while the card is live is refused.
        let (s, e) = n.post("/v1/cards/applications", json!({"resident": code})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");

        // Lost: suspended, listed in the user-auth CRL as on hold; found: off the list.
        let (s, v) = n.post(&format!("/v1/cards/{number}/suspend"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "suspended");
        let auth = cert_of(&card, CertKind::UserAuth);
        let crl = RevocationList::parse(&n.bytes("/crl/auth.crl").await, &trust).unwrap();
        assert!(matches!(crl.status(auth.serial, now()), Status::Revoked { reason: myna_pki::Reason::Suspended, .. }));
        let v = check(&n, &mut card, &pin(), "auth").await;
        assert_eq!(v["valid"], false);
        assert!(v["reason"].as_str().unwrap().contains("revoked"), "{v}");
        n.post(&format!("/v1/cards/{number}/resume"), json!({})).await;
        let crl = RevocationList::parse(&n.bytes("/crl/auth.crl").await, &trust).unwrap();
        assert_eq!(crl.status(auth.serial, now()), Status::Good);

        // A move revokes the signing certificate only; a reissue gives a new one.
        let (s, e) = n.post("/v1/events", json!({"kind": "move_within", "on": "2026-01-10", "resident": code, "address": "東京都千代田区永田町一丁目7番1号"})).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let sign = cert_of(&card, CertKind::Signing);
        let crl = RevocationList::parse(&n.bytes("/crl/sign.crl").await, &trust).unwrap();
        assert!(matches!(
            crl.status(sign.serial, now()),
            Status::Revoked { reason: myna_pki::Reason::HolderChanged, .. }
        ));
        assert_eq!(check(&n, &mut card, &pin(), "auth").await["valid"], true);
        assert_eq!(check(&n, &mut card, &password(), "sign").await["valid"], false);

        // OCSP for a registered verifier (and only for one).
        let (s, reg) = n.post("/v1/verifiers", json!({"id": "bank-1", "name": "みらい銀行"})).await;
        assert_eq!(s, StatusCode::CREATED, "{reg}");
        let token = reg["token"].as_str().unwrap().to_string();
        let nonce = [5u8; 16];
        let req = ocsp::request(&trust, CertKind::Signing, sign.serial, &nonce).unwrap();
        let res = n
            .client
            .post(n.url("/ocsp"))
            .header("content-type", "application/ocsp-request")
            .body(req.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = n.client.post(n.url("/ocsp")).bearer_auth(&token).body(req).send().await.unwrap();
        let status =
            ocsp::read_response(&res.bytes().await.unwrap(), &trust, CertKind::Signing, sign.serial, &nonce, now())
                .unwrap();
        assert!(matches!(status, Status::Revoked { .. }), "{status:?}");

        // Reissue of the signing certificate on the same card: a bad request is refused, a
        // good one gives a new certificate with the new address.
        let (s, v) = n.post(&format!("/v1/cards/{number}/reissue-signing"), json!({"signing_csr": "garbage"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let key = myna_pki::RsaKey::generate().unwrap();
        let csr = pem("CERTIFICATE REQUEST", &myna_pki::csr::build(&key).unwrap());
        let (s, v) = n.post(&format!("/v1/cards/{number}/reissue-signing"), json!({"signing_csr": csr})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let newest =
            v["certificates"].as_array().unwrap().iter().filter(|c| c["kind"] == "sign").last().unwrap().clone();
        assert_eq!(newest["status"], "good");
        let reissued = CardCert::parse(newest["pem"].as_str().unwrap().as_bytes()).unwrap();
        assert!(reissued.holder.unwrap().address.contains("永田町"));

        // Returned: everything still good is revoked (the moved-away one keeps its reason), and
        // the card cannot be suspended any more.
        let (s, v) = n.post(&format!("/v1/cards/{number}/return"), json!({})).await;
        assert_eq!(s, StatusCode::OK);
        let statuses: Vec<&str> =
            v["certificates"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["holder-changed", "card-ended", "card-ended"], "{v}");
        let (s, _) = n.post(&format!("/v1/cards/{number}/suspend"), json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn consent_gives_a_verifier_the_latest_four_items() {
    let db = myna_testkit::fresh_dbs().await.unwrap().remove(0);
    let n = start(db).await;
    let (code, _, mut card, _) = n.resident_with_card("佐藤 一郎").await;
    let (_, reg) = n.post("/v1/verifiers", json!({"id": "shop-2", "name": "ネット証券"})).await;
    let token = reg["token"].as_str().unwrap().to_string();
    let sign = cert_of(&card, CertKind::Signing);
    let consent = |grant: bool, card: &mut SoftCard<Vec<u8>>| {
        let text = myna_jlis::consent_text("shop-2", grant);
        let sig = card.sign_digest(&password(), &sha256(text.as_bytes())).unwrap();
        json!({"verifier": "shop-2", "grant": grant, "certificate": sign.to_pem(), "signature": Base64::encode_string(&sig)})
    };
    let latest = |n: &Node| {
        n.client.get(n.url(&format!("/v1/verifiers/me/certificates/{}/latest", sign.serial))).bearer_auth(&token).send()
    };
    assert_eq!(latest(&n).await.unwrap().status(), StatusCode::FORBIDDEN);
    let (s, v) = n.post("/v1/consents", consent(true, &mut card)).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    // The holder moves: the old signing certificate is revoked, but the verifier that holds it
    // learns the new address.
    n.post("/v1/events", json!({"kind": "move_within", "on": "2026-01-10", "resident": code, "address": "東京都千代田区永田町一丁目7番1号"})).await;
    let v: Value = latest(&n).await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "holder-changed", "{v}");
    assert!(v["holder"]["address"].as_str().unwrap().contains("永田町"), "{v}");
    // Withdrawal needs a good signing certificate: the old one is revoked now, so it is refused.
    let (s, _) = n.post("/v1/consents", consent(false, &mut card)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A wrong token is refused.
    let res = n
        .client
        .get(n.url(&format!("/v1/verifiers/me/certificates/{}/latest", sign.serial)))
        .bearer_auth("shop-2.nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn death_ends_the_card_and_reset_needs_an_identity_check() {
    let db = myna_testkit::fresh_dbs().await.unwrap().remove(0);
    let n = start(db).await;
    let (code, number, mut card, reset) = n.resident_with_card("鈴木 次郎").await;

    // Lock the PIN, then the municipality resets it.
    let wrong = Secret::new(CertKind::UserAuth, "0000").unwrap();
    for _ in 0..3 {
        let _ = card.sign_digest(&wrong, &[0; 32]);
    }
    assert_eq!(card.tries_left(CertKind::UserAuth), 0);
    let (s, _) = n.post(&format!("/v1/cards/{number}/reset-key"), json!({"clerk": "", "document": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) =
        n.post(&format!("/v1/cards/{number}/reset-key"), json!({"clerk": "窓口 A-3", "document": "運転免許証"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["reset_key"], reset.as_str());
    let mut key = [0u8; 32];
    hex::decode_to_slice(&reset, &mut key).unwrap();
    card.reset(&key, &Secret::new(CertKind::UserAuth, "5678").unwrap()).unwrap();
    assert_eq!(check(&n, &mut card, &Secret::new(CertKind::UserAuth, "5678").unwrap(), "auth").await["valid"], true);

    // Death: both certificates revoked, the card ended.
    let (s, e) = n.post("/v1/events", json!({"kind": "death", "on": "2026-02-01", "resident": code})).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let (_, v) = n.get(&format!("/v1/cards/{number}")).await;
    assert_eq!(v["status"], "ended");
    assert!(v["certificates"].as_array().unwrap().iter().all(|c| c["status"] == "card-ended"), "{v}");
    // Malformed input.
    let (s, _) = n.get("/v1/cards/12").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = n.get("/crl/other.crl").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
