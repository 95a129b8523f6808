//! Issuing a qualification credential (SD-JWT VC, five disclosures and two decoys, ES256) and
//! verifying a presentation of two claims with its key binding; beside the bare ECDSA P-256
//! signature and verification they rest on, as the reference.

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, UnparsedPublicKey},
};
use myna_credential::{
    IssuerKey, Jwk,
    sdjwt::{self, Expect, KeyBinding},
};
use serde_json::{Map, Value, json};

fn main() {
    divan::main();
}

const NOW: i64 = 1_796_600_000;

fn claims() -> Map<String, Value> {
    json!({"iss": "https://qualifications.myna.invalid", "iat": NOW, "vct": "urn:myna:qualification:physician",
        "qualification": "医師", "registration_number": "第123456号", "registered_on": "2020-04-20",
        "name": "厚労 花子", "birthdate": "1990-04-01", "address": "東京都千代田区霞が関二丁目1番2号"})
    .as_object()
    .cloned()
    .unwrap_or_default()
}

const DISCLOSABLE: &[&str] = &["registration_number", "registered_on", "name", "birthdate", "address"];

fn wallet() -> EcdsaKeyPair {
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).unwrap()
}

#[divan::bench]
fn reference_p256_sign(b: divan::Bencher) {
    let k = wallet();
    b.bench(|| k.sign(&SystemRandom::new(), b"a message of about the size of a header").unwrap());
}

#[divan::bench]
fn reference_p256_verify(b: divan::Bencher) {
    let k = wallet();
    let sig = k.sign(&SystemRandom::new(), b"m").unwrap();
    let pk = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, k.public_key().as_ref().to_vec());
    b.bench(|| pk.verify(b"m", sig.as_ref()).unwrap());
}

#[divan::bench]
fn issue(b: divan::Bencher) {
    let issuer = IssuerKey::from_pkcs8("k", &IssuerKey::generate().unwrap()).unwrap();
    let holder = Jwk::p256(wallet().public_key().as_ref()).unwrap();
    let c = claims();
    b.bench(|| issuer.issue(&c, DISCLOSABLE, &holder).unwrap());
}

#[divan::bench]
fn verify_presentation(b: divan::Bencher) {
    let issuer = IssuerKey::from_pkcs8("k", &IssuerKey::generate().unwrap()).unwrap();
    let w = wallet();
    let issued = issuer.issue(&claims(), DISCLOSABLE, &Jwk::p256(w.public_key().as_ref()).unwrap()).unwrap();
    let sign = |m: &[u8]| w.sign(&SystemRandom::new(), m).map(|s| s.as_ref().to_vec()).map_err(|e| e.to_string());
    let kb = KeyBinding { aud: "https://hospital.example", nonce: "n", iat: NOW, alg: "ES256", sign: &sign };
    let p = sdjwt::present(&issued, &["registration_number", "name"], Some(kb)).unwrap();
    let jwk = issuer.jwk().unwrap();
    let keys = move |_: &str, _: Option<&str>| Some(jwk.clone());
    let expect = Expect { aud: "https://hospital.example", nonce: "n", now: NOW, max_age: 300 };
    b.bench(|| sdjwt::verify(&p.text, &keys, &expect).unwrap());
}
