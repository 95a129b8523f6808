//! Hot paths of one linkage exchange: signing and checking a message, sealing and opening a
//! payload, appending to the log's tree and proving an entry.

use myna_link::{NetworkTrust, NodeKey, merkle, seal};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

fn main() {
    divan::main();
}

fn network() -> (NodeKey, NetworkTrust) {
    let ca_key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, "bench CA");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = p.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(p, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut np = CertificateParams::new(vec!["localhost".into()]).unwrap();
    np.distinguished_name.push(DnType::CommonName, "municipality:131016");
    let cert = np.signed_by(&key, &issuer).unwrap();
    (NodeKey::from_pem(&cert.pem(), &key.serialize_pem()).unwrap(), NetworkTrust::from_ca_pem(&ca.pem()).unwrap())
}

fn body() -> serde_json::Value {
    serde_json::json!({"id": "00112233445566778899aabbccddeeff", "from": "municipality:131016", "to": "hub", "at": 1_900_000_000,
        "body": {"task": "child_allowance", "item": "local_tax", "version": "1.1", "provider": "municipality:271004",
        "code": "00112233445566778899aabbccddeeff", "purpose": "R8-0001"}})
}

#[divan::bench]
fn sign_message(b: divan::Bencher) {
    let (key, _) = network();
    let v = body();
    b.bench(|| key.sign(&v).unwrap());
}

#[divan::bench]
fn check_message(b: divan::Bencher) {
    let (key, trust) = network();
    let jws = key.sign(&body()).unwrap();
    b.bench(|| trust.open::<serde_json::Value>(&jws, 1_900_000_000).unwrap());
}

#[divan::bench]
fn seal_payload(b: divan::Bencher) {
    let k = seal::SealKey::generate().unwrap();
    let pk = k.public_hex();
    let data = br#"{"fiscal_year":2026,"taxable_income":3200000,"tax_amount":182000,"non_taxable":false}"#;
    b.bench(|| seal::seal(&pk, data, b"aad").unwrap());
}

#[divan::bench]
fn open_payload(b: divan::Bencher) {
    let k = seal::SealKey::generate().unwrap();
    let sealed = seal::seal(&k.public_hex(), b"{\"fiscal_year\":2026}", b"aad").unwrap();
    b.bench(|| k.open(&sealed, b"aad").unwrap());
}

#[divan::bench]
fn tree_append(b: divan::Bencher) {
    let mut t = merkle::Tree::new();
    let leaf = merkle::leaf_hash(b"entry");
    b.bench_local(|| t.push(leaf));
}

#[divan::bench]
fn inclusion_proof_1m(b: divan::Bencher) {
    let mut t = merkle::Tree::new();
    for i in 0..1_000_000u64 {
        t.push(merkle::leaf_hash(&i.to_be_bytes()));
    }
    let mut i = 0u64;
    b.bench_local(|| {
        i = (i + 7919) % 1_000_000;
        t.inclusion(i, 1_000_000).unwrap()
    });
}
