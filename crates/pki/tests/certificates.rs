//! Certificates follow the JPKI profiles, verify, and are refused for every reason a verifier
//! must refuse them.

mod common;

use common::*;
use myna_pki::token::CardToken;
use myna_pki::{
    Authority, CardCert, CertKind, PkiError, Reason, Revocation, RevocationList, Serial, Status, csr, ocsp,
};
use std::sync::OnceLock;

fn authority() -> &'static Authority {
    static A: OnceLock<Authority> = OnceLock::new();
    A.get_or_init(|| Authority::create(NOW - 3600).unwrap())
}

fn issued(kind: CertKind, serial: u64, not_after: i64) -> CardCert {
    let key = myna_pki::RsaKey::generate().unwrap();
    let der = issue_one(authority(), kind, serial, &csr::build(&key).unwrap(), not_after);
    CardCert::parse(&der).unwrap()
}

#[test]
fn signing_certificate_carries_the_four_items_and_user_auth_none() {
    let s = issued(CertKind::Signing, 100, NOW + 1000);
    assert_eq!(s.kind, CertKind::Signing);
    assert_eq!(s.holder.as_ref(), Some(&holder()));
    let u = issued(CertKind::UserAuth, 101, NOW + 1000);
    assert_eq!(u.kind, CertKind::UserAuth);
    assert_eq!(u.holder, None);
    assert!(!u.subject().contains("山田"));
    let t = trust(authority());
    t.check(&s, CertKind::Signing, NOW, Status::Good).unwrap();
    t.check(&u, CertKind::UserAuth, NOW, Status::Good).unwrap();
}

#[test]
fn openssl_reads_the_certificate() {
    let s = issued(CertKind::Signing, 102, NOW + 1000);
    let dir = std::env::temp_dir().join(format!("myna-pki-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sign.pem");
    std::fs::write(&path, s.to_pem()).unwrap();
    let out =
        std::process::Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("1.2.392.200149.8.5.1.1.20"), "policy OID missing:\n{text}");
    assert!(text.contains("sha256WithRSAEncryption"));
    assert!(text.contains("Public-Key: (2048 bit)"));
    assert!(text.contains("https://jlis.test/crl/sign.crl"));
    assert!(text.contains("Non Repudiation"));
    // openssl verifies the chain too.
    let root = dir.join("root.pem");
    let ca = dir.join("ca.pem");
    std::fs::write(&root, pem(authority().root().certificate_der())).unwrap();
    std::fs::write(&ca, pem(authority().issuing(CertKind::Signing).certificate_der())).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "verify",
            "-attime",
            &NOW.to_string(),
            "-policy_check",
            "-explicit_policy",
            "-policy",
            "1.2.392.200149.8.5.1.1.20",
            "-CAfile",
        ])
        .arg(&root)
        .arg("-untrusted")
        .arg(&ca)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn wrong_policy_is_refused() {
    let s = issued(CertKind::Signing, 103, NOW + 1000);
    let err = trust(authority()).check(&s, CertKind::UserAuth, NOW, Status::Good).unwrap_err();
    assert_eq!(err, PkiError::WrongPolicy { wanted: CertKind::UserAuth, got: CertKind::Signing });
}

#[test]
fn certificate_from_another_authority_is_refused() {
    let other = Authority::create(NOW - 3600).unwrap();
    let key = myna_pki::RsaKey::generate().unwrap();
    let der = issue_one(&other, CertKind::UserAuth, 104, &csr::build(&key).unwrap(), NOW + 1000);
    let cert = CardCert::parse(&der).unwrap();
    // Same names, different keys: the signature check catches it.
    let err = trust(authority()).check(&cert, CertKind::UserAuth, NOW, Status::Good).unwrap_err();
    assert_eq!(err, PkiError::CertificateSignatureInvalid);
}

#[test]
fn expired_and_not_yet_valid_are_refused() {
    let c = issued(CertKind::UserAuth, 105, NOW + 100);
    let t = trust(authority());
    assert!(matches!(t.check(&c, CertKind::UserAuth, NOW + 101, Status::Good), Err(PkiError::Expired(_))));
    assert!(matches!(t.check(&c, CertKind::UserAuth, NOW - 3600, Status::Good), Err(PkiError::NotYetValid(_))));
}

#[test]
fn malformed_and_truncated_inputs_are_refused_with_reasons() {
    let c = issued(CertKind::UserAuth, 106, NOW + 100);
    for cut in [0, 1, 10, c.der.len() / 2, c.der.len() - 1] {
        let err = CardCert::parse(&c.der[..cut]).unwrap_err();
        assert!(matches!(err, PkiError::MalformedCertificate(_)), "{cut}: {err}");
    }
    assert!(matches!(CardCert::parse(b"-----BEGIN CERTIFICATE-----\nnope\n"), Err(PkiError::MalformedCertificate(_))));
    let key = myna_pki::RsaKey::generate().unwrap();
    let req = csr::build(&key).unwrap();
    assert!(matches!(csr::check(&req[..req.len() - 3]), Err(PkiError::MalformedCsr(_))));
    let mut tampered = req.clone();
    let n = tampered.len();
    tampered[n - 10] ^= 1; // inside the signature
    assert_eq!(csr::check(&tampered).unwrap_err(), PkiError::CsrSignatureInvalid);
}

#[test]
fn crl_lists_revocations_and_is_verified() {
    let a = authority();
    let revoked = [
        Revocation { serial: Serial::new(200).unwrap(), at: NOW - 10, reason: Reason::HolderChanged },
        Revocation { serial: Serial::new(201).unwrap(), at: NOW - 5, reason: Reason::Suspended },
    ];
    let der = a.crl(CertKind::Signing, &revoked, 7, NOW, NOW + 86400).unwrap();
    let t = trust(a);
    let list = RevocationList::parse(&der, &t).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list.status(Serial::new(200).unwrap(), NOW),
        Status::Revoked { at: NOW - 10, reason: Reason::HolderChanged }
    );
    assert_eq!(list.status(Serial::new(202).unwrap(), NOW), Status::Good);
    assert_eq!(list.status(Serial::new(202).unwrap(), NOW + 86401), Status::Unknown, "stale list");
    // A CRL signed by another authority is refused.
    let other = Authority::create(NOW).unwrap().crl(CertKind::Signing, &revoked, 1, NOW, NOW + 60).unwrap();
    assert!(matches!(RevocationList::parse(&other, &t), Err(PkiError::MalformedCrl(_))));
    assert!(matches!(RevocationList::parse(&der[..der.len() / 2], &t), Err(PkiError::MalformedCrl(_))));
    // openssl reads it.
    let path = std::env::temp_dir().join(format!("myna-crl-{}.der", std::process::id()));
    std::fs::write(&path, &der).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Certificate Hold") && text.contains("Affiliation Changed"), "{text}");
}

#[test]
fn ocsp_answers_good_revoked_and_unknown() {
    let a = authority();
    let t = trust(a);
    let nonce = [7u8; 16];
    for (serial, status) in [
        (300, Status::Good),
        (301, Status::Revoked { at: NOW - 100, reason: Reason::CardEnded }),
        (302, Status::Unknown),
    ] {
        let s = Serial::new(serial).unwrap();
        let req = ocsp::request(&t, CertKind::UserAuth, s, &nonce).unwrap();
        let parsed = a.ocsp_parse(&req).unwrap();
        assert_eq!(parsed.queries[0].target, Some((CertKind::UserAuth, s)));
        let resp = a.ocsp_respond(&parsed, &[status], NOW).unwrap();
        assert_eq!(ocsp::read_response(&resp, &t, CertKind::UserAuth, s, &nonce, NOW).unwrap(), status);
        // A response replayed for another nonce is refused.
        assert!(ocsp::read_response(&resp, &t, CertKind::UserAuth, s, &[8u8; 16], NOW).is_err());
    }
    assert!(matches!(a.ocsp_parse(b"\x30\x03\x02\x01"), Err(PkiError::MalformedOcsp(_))));
}

#[test]
fn card_signatures_verify_with_the_certificate() {
    let a = authority();
    let (mut card, _) = card(a, 400);
    let digest = [9u8; 32];
    let sig = card.sign_digest(&password(), &digest).unwrap();
    let cert = CardCert::parse(card.certificate(CertKind::Signing).unwrap().as_bytes()).unwrap();
    // The card signed a digest; verification hashes the message itself, so check via the
    // login path instead: sign the digest of a known message.
    let msg = b"application form";
    let sig2 = card.sign_digest(&password(), &myna_pki::sha256(msg)).unwrap();
    myna_pki::verify_signature(&cert, msg, &sig2).unwrap();
    assert_eq!(myna_pki::verify_signature(&cert, b"another form", &sig2).unwrap_err(), PkiError::SignatureInvalid);
    assert_eq!(sig.len(), 256);
}
