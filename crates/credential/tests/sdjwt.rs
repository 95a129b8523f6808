//! A qualification credential issued, presented with only what a verifier asks, and checked —
//! and each way a presentation can be wrong refused with its reason: a claim changed, a
//! disclosure from another credential, one added after the holder signed, a presentation for
//! another verifier or request, an old one, one without the holder's key, an altered issuer
//! JWT, an unknown issuer. The holder key is a wallet's P-256 key or the card's RSA key.

use aws_lc_rs::{
    rand::SystemRandom,
    rsa::{KeySize, PublicKeyComponents},
    signature::{self, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RsaKeyPair},
};
use base64ct::Encoding as _;
use myna_credential::{
    IssuerKey, Jwk,
    sdjwt::{self, Expect, KeyBinding, SdJwtError},
};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_796_600_000;
const ISS: &str = "https://qualifications.myna.invalid";

fn claims(number: &str, name: &str) -> Map<String, Value> {
    let v = json!({"iss": ISS, "iat": NOW, "vct": "urn:myna:qualification:physician", "qualification": "医師",
        "status": {"status_list": {"idx": 7, "uri": format!("{ISS}/status/1")}},
        "registration_number": number, "registered_on": "2020-04-20", "name": name, "birthdate": "1990-04-01",
        "address": "東京都千代田区霞が関二丁目1番2号"});
    v.as_object().unwrap().clone()
}

const DISCLOSABLE: &[&str] = &["registration_number", "registered_on", "name", "birthdate", "address"];

struct Wallet(EcdsaKeyPair);

impl Wallet {
    fn new() -> Self {
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
        Wallet(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).unwrap())
    }
    fn jwk(&self) -> Jwk {
        Jwk::p256(self.0.public_key().as_ref()).unwrap()
    }
    fn sign(&self, m: &[u8]) -> Result<Vec<u8>, String> {
        self.0.sign(&SystemRandom::new(), m).map(|s| s.as_ref().to_vec()).map_err(|e| e.to_string())
    }
}

fn expect<'a>(aud: &'a str, nonce: &'a str) -> Expect<'a> {
    Expect { aud, nonce, now: NOW + 10, max_age: 300 }
}

#[test]
fn the_holder_shows_only_what_is_asked_and_the_verifier_checks_it_all() {
    let issuer = IssuerKey::from_pkcs8("2026-1", &IssuerKey::generate().unwrap()).unwrap();
    let ijwk = issuer.jwk().unwrap();
    let keys = |iss: &str, kid: Option<&str>| (iss == ISS && kid == Some("2026-1")).then(|| ijwk.clone());
    let wallet = Wallet::new();
    let issued = issuer.issue(&claims("第123456号", "厚労 花子"), DISCLOSABLE, &wallet.jwk()).unwrap();
    assert_eq!(sdjwt::disclosable(&issued).unwrap().len(), 5);
    let sign = |m: &[u8]| wallet.sign(m);
    let kb = |aud, nonce, iat| Some(KeyBinding { aud, nonce, iat, alg: "ES256", sign: &sign });

    let p =
        sdjwt::present(&issued, &["registration_number", "name"], kb("https://hospital.example", "n-1", NOW)).unwrap();
    let v = sdjwt::verify(&p.text, &keys, &expect("https://hospital.example", "n-1")).unwrap();
    assert_eq!(v.claims["qualification"], "医師");
    assert_eq!(v.claims["registration_number"], "第123456号");
    assert_eq!(v.claims["name"], "厚労 花子");
    for hidden in ["birthdate", "address", "registered_on"] {
        assert!(!v.claims.contains_key(hidden), "{hidden} was not disclosed");
        assert!(!p.text.contains(hidden), "{hidden} is not in the presentation at all");
    }
    assert_eq!(v.status, Some((format!("{ISS}/status/1"), 7)));

    // For another verifier, another request, too old, without the holder's key.
    let e = expect("https://hospital.example", "n-1");
    assert!(matches!(
        sdjwt::verify(&p.text, &keys, &expect("https://other.example", "n-1")),
        Err(SdJwtError::Audience { .. })
    ));
    assert_eq!(sdjwt::verify(&p.text, &keys, &expect("https://hospital.example", "n-2")), Err(SdJwtError::Nonce));
    let old = sdjwt::present(&issued, &["name"], kb("https://hospital.example", "n-1", NOW - 3600)).unwrap();
    assert_eq!(sdjwt::verify(&old.text, &keys, &e), Err(SdJwtError::Stale));
    let bare = sdjwt::present(&issued, &["name"], None).unwrap();
    assert_eq!(sdjwt::verify(&bare.text, &keys, &e), Err(SdJwtError::NoKeyBinding));
    // Someone else's key signing the binding.
    let thief = Wallet::new();
    let tsign = |m: &[u8]| thief.sign(m);
    let stolen = sdjwt::present(
        &issued,
        &["name"],
        Some(KeyBinding { aud: "https://hospital.example", nonce: "n-1", iat: NOW, alg: "ES256", sign: &tsign }),
    )
    .unwrap();
    assert!(matches!(sdjwt::verify(&stolen.text, &keys, &e), Err(SdJwtError::KeyBinding(_))));

    // A claim's value changed in its disclosure; a disclosure from another credential; one
    // added after the holder signed.
    let (jwt, rest) = p.text.split_once('~').unwrap();
    let mut parts: Vec<String> = rest.split('~').map(str::to_string).collect();
    let d = parts[0].clone();
    let decoded = String::from_utf8(base64ct::Base64UrlUnpadded::decode_vec(&d).unwrap()).unwrap();
    let changed = decoded.replace("第123456号", "第999999号").replace("厚労 花子", "偽物 太郎");
    parts[0] = base64ct::Base64UrlUnpadded::encode_string(changed.as_bytes());
    let forged = format!("{jwt}~{}", parts.join("~"));
    assert_eq!(sdjwt::verify(&forged, &keys, &e), Err(SdJwtError::ForeignDisclosure));
    let other = issuer.issue(&claims("第654321号", "別人 次郎"), DISCLOSABLE, &wallet.jwk()).unwrap();
    let other_name = other
        .split('~')
        .find(|d| sdjwt::disclosable(&format!("x.y.z~{d}~")).is_ok_and(|v| v.first().is_some_and(|(n, _)| n == "name")))
        .unwrap();
    let swapped = p.text.replacen('~', &format!("~{other_name}~"), 1);
    assert_eq!(sdjwt::verify(&swapped, &keys, &e), Err(SdJwtError::ForeignDisclosure));
    let birth = issued
        .split('~')
        .find(|d| {
            sdjwt::disclosable(&format!("x.y.z~{d}~")).is_ok_and(|v| v.first().is_some_and(|(n, _)| n == "birthdate"))
        })
        .unwrap();
    let added = p.text.replacen('~', &format!("~{birth}~"), 1);
    assert_eq!(sdjwt::verify(&added, &keys, &e), Err(SdJwtError::SdHash));

    // The issuer JWT altered; an issuer not trusted.
    let (h, rest) = p.text.split_once('.').unwrap();
    let (payload, tail) = rest.split_once('.').unwrap();
    let mut bytes = base64ct::Base64UrlUnpadded::decode_vec(payload).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap().replace("医師", "薬剤師");
    bytes = text.into_bytes();
    let altered = format!("{h}.{}.{tail}", base64ct::Base64UrlUnpadded::encode_string(&bytes));
    assert_eq!(sdjwt::verify(&altered, &keys, &e), Err(SdJwtError::IssuerSignature));
    assert!(matches!(sdjwt::verify(&p.text, &|_: &str, _: Option<&str>| None, &e), Err(SdJwtError::UnknownIssuer(_))));
    assert_eq!(sdjwt::present(&issued, &["phone"], None).map(|_| ()), Err(SdJwtError::NotDisclosable("phone".into())));
}

#[test]
fn the_card_can_hold_the_credential_with_its_rsa_key() {
    let issuer = IssuerKey::from_pkcs8("2026-1", &IssuerKey::generate().unwrap()).unwrap();
    let ijwk = issuer.jwk().unwrap();
    let keys = |_: &str, _: Option<&str>| Some(ijwk.clone());
    let card = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let parts = PublicKeyComponents::<Vec<u8>>::from(card.public_key());
    let holder = Jwk::rsa(&parts.n, &parts.e);
    let issued = issuer.issue(&claims("第1号", "札 太郎"), DISCLOSABLE, &holder).unwrap();
    let sign = |m: &[u8]| {
        let mut sig = vec![0; card.public_modulus_len()];
        card.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), m, &mut sig).map_err(|e| e.to_string())?;
        Ok(sig)
    };
    let kb = KeyBinding { aud: "https://hospital.example", nonce: "n", iat: NOW, alg: "RS256", sign: &sign };
    let p = sdjwt::present(&issued, &["name"], Some(kb)).unwrap();
    let v = sdjwt::verify(&p.text, &keys, &expect("https://hospital.example", "n")).unwrap();
    assert_eq!(v.disclosed, ["name"]);
    // An ES256 binding over an RSA holder key is refused by its algorithm.
    let wallet = Wallet::new();
    let ws = |m: &[u8]| wallet.sign(m);
    let wrong = sdjwt::present(
        &issued,
        &["name"],
        Some(KeyBinding { aud: "https://hospital.example", nonce: "n", iat: NOW, alg: "ES256", sign: &ws }),
    )
    .unwrap();
    assert!(matches!(
        sdjwt::verify(&wrong.text, &keys, &expect("https://hospital.example", "n")),
        Err(SdJwtError::KeyBinding(_))
    ));
}
