//! A resident's My Number Card for tests: applied for and issued at J-LIS (over its API, by the
//! municipality's client), kept as a software card, and a login signed with it the way the
//! holder's tool signs one.

use base64ct::{Base64, Encoding};
use myna_pki::{
    CardCert, CertKind, Secret,
    login::Challenge,
    softcard::{KdfParams, SoftCard, UnlockedKey},
    token::CardToken,
};
use serde_json::{Value, json};

pub struct TestCard {
    pub number: String,
    pub key: UnlockedKey,
    /// The user-authentication certificate, DER in base64.
    pub cert: String,
    /// The signing key (after the password) and its certificate, DER in base64.
    pub signing: UnlockedKey,
    pub signing_cert: String,
    /// 券面事項入力補助 as read back from the card after its PIN: J-LIS's signed face data.
    pub face: Option<String>,
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let res = client.post(&url).json(&body).send().await.unwrap();
    let status = res.status();
    let v: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

/// Applies for and issues a card for the resident `code` at J-LIS (`client` is the clerk
/// system of the municipality that keeps the resident's register).
pub async fn issue(client: &reqwest::Client, jlis: &str, code: &str) -> TestCard {
    let applied = post(client, format!("{jlis}/v1/cards/applications"), json!({"resident": code})).await;
    let number = applied["card"].as_str().unwrap().to_string();
    let pin = Secret::new(CertKind::UserAuth, "1234").unwrap();
    let password = Secret::new(CertKind::Signing, "PASSWORD1").unwrap();
    let (mut card, new) = SoftCard::create(&password, &pin, KdfParams::LIGHT, Vec::new()).unwrap();
    let body = json!({"signing_csr": pem("CERTIFICATE REQUEST", &new.signing_csr), "user_auth_csr": pem("CERTIFICATE REQUEST", &new.user_auth_csr), "reset_key": hex::encode(new.reset_key)});
    let issued = post(client, format!("{jlis}/v1/cards/{number}/issue"), body).await;
    let certs = issued["certificates"].as_array().unwrap();
    let find = |k: &str| certs.iter().find(|c| c["kind"] == k).unwrap()["pem"].as_str().unwrap().to_string();
    let expires = time::Date::parse(
        issued["expires"].as_str().unwrap(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    card.install(&number, expires, &find("sign"), &find("auth")).unwrap();
    let face = issued["face"].as_str().map(|f| {
        card.write_face(&pin, f).unwrap();
        card.read_face(&pin).unwrap()
    });
    let der = |k| Base64::encode_string(&CardCert::parse(card.certificate(k).unwrap().as_bytes()).unwrap().der);
    let (cert, signing_cert) = (der(CertKind::UserAuth), der(CertKind::Signing));
    TestCard {
        number,
        key: card.unlock(&pin).unwrap(),
        cert,
        signing: card.unlock(&password).unwrap(),
        signing_cert,
        face,
    }
}

impl TestCard {
    /// The card's signature over `challenge` (its digest, as the host hands it to the card).
    pub fn sign(&self, challenge: &str) -> String {
        Base64::encode_string(&self.key.sign_digest(&Challenge::parse(challenge).unwrap().digest()).unwrap())
    }

    /// A document signed with the signing key: (certificate, signature), base64, as J-LIS's
    /// signature check takes them.
    pub fn sign_document(&self, bytes: &[u8]) -> (String, String) {
        let sig = self.signing.sign_digest(&myna_pki::sha256(bytes)).unwrap();
        (self.signing_cert.clone(), Base64::encode_string(&sig))
    }

    /// A login at `service`, signed: (challenge, certificate, signature), as the holder's
    /// tool posts it. The challenge is made here, so it is one no service issued; what a
    /// service forwards after its own login is the same shape.
    pub fn login(&self, service: &str, expires: i64) -> (String, String, String) {
        let c = Challenge { service: service.into(), nonce: [7; 16], expires }.text();
        let sig = self.sign(&c);
        (c, self.cert.clone(), sig)
    }
}
