//! Issuing and checking a document: its code signed and its PDF written, the code checked;
//! beside the bare ECDSA P-256 signature and verification they are built on, as the reference.

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, UnparsedPublicKey},
};
use myna_issuance::{Channel, DocKind, Document, Issuer, IssuerKey, IssuerKeys, Line, Person, pdf};

fn main() {
    divan::main();
}

fn document() -> Document {
    let person = |name: &str, birth: &str| Person {
        name: name.into(),
        kana: Some("ヤマダ".into()),
        birth: birth.into(),
        sex: Some("女".into()),
        relationship: Some("世帯主".into()),
        number: None,
    };
    Document {
        serial: "131016-20261207-000001".into(),
        kind: DocKind::ResidentCopy,
        issuer: Issuer { code: "131016".into(), name: "千代田区長".into() },
        issued_at: 1_796_600_000,
        channel: Channel::Kiosk("store-0001".into()),
        people: vec![person("山田 花子", "1990-04-01"), person("山田 太郎", "2018-06-30")],
        lines: vec![Line { label: "住所".into(), value: "東京都千代田区霞が関二丁目1番1号".into() }],
    }
}

fn issuer() -> (IssuerKey, IssuerKeys) {
    let key = IssuerKey::from_pkcs8("131016", &IssuerKey::generate().unwrap()).unwrap();
    let mut keys = IssuerKeys::default();
    keys.add("131016", "千代田区長", key.public());
    (key, keys)
}

#[divan::bench]
fn sign_code_and_write_pdf(b: divan::Bencher) {
    let (key, _) = issuer();
    let doc = document();
    b.bench(|| pdf::render(&doc, &key.sign(&doc).unwrap(), None).unwrap());
}

#[divan::bench]
fn check_code_from_pdf(b: divan::Bencher) {
    let (key, keys) = issuer();
    let doc = document();
    let file = pdf::render(&doc, &key.sign(&doc).unwrap(), None).unwrap();
    b.bench(|| keys.open(&pdf::code_of(&file).unwrap()).unwrap());
}

#[divan::bench]
fn reference_p256_sign(b: divan::Bencher) {
    let rng = SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).unwrap();
    b.bench(|| key.sign(&rng, b"a document's canonical bytes").unwrap());
}

#[divan::bench]
fn reference_p256_verify(b: divan::Bencher) {
    let rng = SystemRandom::new();
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).unwrap();
    let sig = key.sign(&rng, b"a document's canonical bytes").unwrap();
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key().as_ref().to_vec());
    b.bench(|| public.verify(b"a document's canonical bytes", sig.as_ref()).unwrap());
}
