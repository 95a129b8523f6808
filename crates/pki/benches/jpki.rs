//! Hot paths of JPKI: RSA-2048 verification (compare with `openssl speed -verify`… see
//! BENCHMARKS.md), a full login check, certificate issuance, CRL and OCSP answers.

use std::sync::OnceLock;

use base64ct::{Base64, Encoding};

use myna_pki::login::{ChallengeBook, LoginResponse, LoginVerifier};
use myna_pki::{
    Authority, CardCert, CertKind, Holder, IssueRequest, Reason, Revocation, RsaKey, Serial, Sex, Status, TrustStore,
    csr, ocsp,
};

const NOW: i64 = 1_795_000_000;

struct Fixture {
    ca: Authority,
    key: RsaKey,
    csr: csr::CheckedCsr,
    auth_der: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn trust(ca: &Authority) -> TrustStore {
    ca.trust_store().unwrap()
}

fn issue(ca: &Authority, csr: &csr::CheckedCsr, kind: CertKind, serial: u64) -> Vec<u8> {
    let h =
        Holder::new("山田 太郎", time::macros::date!(1990 - 06 - 15), Sex::Male, "東京都千代田区霞が関二丁目1番2号")
            .unwrap();
    ca.issue(&IssueRequest {
        kind,
        serial: Serial::new(serial).unwrap(),
        subject_id: "BENCH01",
        csr,
        holder: (kind == CertKind::Signing).then_some(&h),
        not_before: NOW - 60,
        not_after: NOW + 86400 * 365,
        crl_url: "https://jlis.bench/crl/auth.crl",
        ocsp_url: "https://jlis.bench/ocsp",
    })
    .unwrap()
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let ca = Authority::create(NOW - 3600).unwrap();
        let key = RsaKey::generate().unwrap();
        let csr = csr::check(&csr::build(&key).unwrap()).unwrap();
        let auth_der = issue(&ca, &csr, CertKind::UserAuth, 100);
        let message = b"myna-login/1:00112233445566778899aabbccddeeff:1795000300:https://portal.bench".to_vec();
        let signature = key.sign(&message).unwrap();
        Fixture { ca, key, csr, auth_der, message, signature }
    })
}

fn main() {
    divan::main();
}

/// One RSA-2048 PKCS#1 v1.5 SHA-256 verification with a parsed key (what `openssl speed rsa2048`
/// calls a verify, plus hashing the short message).
#[divan::bench(sample_size = 1000)]
fn rsa2048_verify(b: divan::Bencher) {
    let f = fixture();
    let cert = CardCert::parse(&f.auth_der).unwrap();
    let key = cert.public_key().unwrap();
    b.bench(|| key.verify(divan::black_box(&f.message), &f.signature).unwrap());
}

#[divan::bench]
fn rsa2048_sign(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| f.key.sign(divan::black_box(&f.message)).unwrap());
}

/// Everything a login costs the service apart from HTTP: parse the certificate, check it against
/// the trust store (issuer signature), the holder's signature, the challenge book, the pseudonym.
/// Everything a login costs the service apart from HTTP: parse the certificate, check it against
/// the trust store (issuer signature), the holder's signature, the challenge book, the pseudonym.
/// The card's signature is made outside the timing.
#[divan::bench(sample_size = 20)]
fn login_check(b: divan::Bencher) {
    let f = fixture();
    let v = LoginVerifier::new(trust(&f.ca), b"bench");
    let book = std::cell::RefCell::new(ChallengeBook::new("https://portal.bench", 300, 1 << 20));
    let n = std::cell::Cell::new(0u128);
    b.with_inputs(|| {
        n.set(n.get() + 1);
        let c = book.borrow_mut().issue(n.get().to_be_bytes(), NOW).unwrap();
        let sig = Base64::encode_string(&f.key.sign(c.text().as_bytes()).unwrap());
        LoginResponse { challenge: c.text(), certificate: Base64::encode_string(&f.auth_der), signature: sig }
    })
    .bench_local_refs(|r| {
        let cert = v.certificate(r).unwrap();
        v.verify(&mut book.borrow_mut(), r, &cert, Status::Good, NOW).unwrap()
    });
}

#[divan::bench]
fn certificate_parse(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| CardCert::parse(divan::black_box(&f.auth_der)).unwrap());
}

#[divan::bench]
fn issue_signing_certificate(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| issue(&f.ca, &f.csr, CertKind::Signing, 200));
}

/// A CRL for 1M issued certificates with 1% revoked: 10,000 entries.
#[divan::bench(sample_count = 10)]
fn crl_10k_revoked(b: divan::Bencher) {
    let f = fixture();
    let revoked: Vec<Revocation> = (0..10_000u64)
        .map(|i| Revocation { serial: Serial::new(1000 + i * 100).unwrap(), at: NOW - 1000, reason: Reason::Suspended })
        .collect();
    b.bench(|| f.ca.crl(CertKind::UserAuth, &revoked, 1, NOW, NOW + 86400).unwrap().len());
}

#[divan::bench]
fn ocsp_answer(b: divan::Bencher) {
    let f = fixture();
    let t = trust(&f.ca);
    let req = ocsp::request(&t, CertKind::UserAuth, Serial::new(100).unwrap(), &[1; 16]).unwrap();
    b.bench(|| {
        let parsed = f.ca.ocsp_parse(&req).unwrap();
        f.ca.ocsp_respond(&parsed, &[Status::Good], NOW).unwrap()
    });
}
