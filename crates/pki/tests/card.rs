//! The software card: tries, locks, resets, and the login protocol end to end (without HTTP).

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use myna_pki::login::{Challenge, ChallengeBook, LoginError, LoginResponse, LoginVerifier};
use myna_pki::softcard::{KdfParams, SoftCard};
use myna_pki::token::{CardToken, TokenError};
use myna_pki::{Authority, CardCert, CertKind, PkiError, Reason, Secret, Status};
use std::sync::OnceLock;

fn authority() -> &'static Authority {
    static A: OnceLock<Authority> = OnceLock::new();
    A.get_or_init(|| Authority::create(NOW - 3600).unwrap())
}

fn wrong_pin() -> Secret {
    Secret::new(CertKind::UserAuth, "9999").unwrap()
}

#[test]
fn wrong_pin_counts_down_and_locks_at_zero() {
    let (mut card, reset_key) = card(authority(), 10);
    let d = [1u8; 32];
    assert_eq!(card.tries_left(CertKind::UserAuth), 3);
    assert_eq!(
        card.sign_digest(&wrong_pin(), &d).unwrap_err(),
        TokenError::WrongSecret { kind: CertKind::UserAuth, tries_left: 2 }
    );
    // A right PIN in between restores the counter, as on the chip.
    card.sign_digest(&pin(), &d).unwrap();
    assert_eq!(card.tries_left(CertKind::UserAuth), 3);
    card.sign_digest(&wrong_pin(), &d).unwrap_err();
    card.sign_digest(&wrong_pin(), &d).unwrap_err();
    assert_eq!(card.sign_digest(&wrong_pin(), &d).unwrap_err(), TokenError::Locked(CertKind::UserAuth));
    // Locked: even the right PIN is refused, and the signing key is unaffected.
    assert_eq!(card.sign_digest(&pin(), &d).unwrap_err(), TokenError::Locked(CertKind::UserAuth));
    assert_eq!(card.tries_left(CertKind::Signing), 5);
    card.sign_digest(&password(), &d).unwrap();
    // The file on disk says locked too: reopening does not give tries back.
    let bytes = card.into_store();
    let mut reopened = SoftCard::open(&bytes, Vec::new()).unwrap();
    assert_eq!(reopened.tries_left(CertKind::UserAuth), 0);
    // The municipality's reset with the key J-LIS kept.
    assert_eq!(reopened.reset(&[0u8; 32], &pin()).unwrap_err(), TokenError::WrongResetKey);
    let new_pin = Secret::new(CertKind::UserAuth, "4321").unwrap();
    reopened.reset(&reset_key, &new_pin).unwrap();
    assert_eq!(reopened.tries_left(CertKind::UserAuth), 3);
    reopened.sign_digest(&new_pin, &d).unwrap();
}

#[test]
fn signing_password_has_five_tries() {
    let (mut card, _) = card(authority(), 20);
    let wrong = Secret::new(CertKind::Signing, "WRONG1").unwrap();
    for left in (1..5).rev() {
        assert_eq!(
            card.sign_digest(&wrong, &[0; 32]).unwrap_err(),
            TokenError::WrongSecret { kind: CertKind::Signing, tries_left: left }
        );
    }
    assert_eq!(card.sign_digest(&wrong, &[0; 32]).unwrap_err(), TokenError::Locked(CertKind::Signing));
}

#[test]
fn try_is_spent_before_the_check() {
    // A store that records every save: the decremented counter is saved before the answer.
    let (card, _) = card(authority(), 30);
    let bytes = card.into_store();
    let mut c = SoftCard::open(&bytes, Vec::new()).unwrap();
    let _ = c.sign_digest(&wrong_pin(), &[0; 32]);
    let saved: serde_json::Value = serde_json::from_slice(&c.into_store()).unwrap();
    assert_eq!(saved["user_auth"]["tries_left"], 2);
}

#[test]
fn change_pin_needs_the_old_one() {
    let (mut card, _) = card(authority(), 40);
    let new = Secret::new(CertKind::UserAuth, "2468").unwrap();
    assert!(matches!(card.change_secret(&wrong_pin(), &new), Err(TokenError::WrongSecret { .. })));
    card.change_secret(&pin(), &new).unwrap();
    assert!(matches!(card.sign_digest(&pin(), &[0; 32]), Err(TokenError::WrongSecret { .. })));
    card.sign_digest(&new, &[0; 32]).unwrap();
}

#[test]
fn damaged_files_are_refused() {
    assert!(matches!(SoftCard::open(b"{}", Vec::new()), Err(TokenError::Damaged(_))));
    let (card, _) = card(authority(), 50);
    let mut v: serde_json::Value = serde_json::from_slice(&card.into_store()).unwrap();
    v["user_auth"]["tries_left"] = 9.into();
    assert!(matches!(SoftCard::open(&serde_json::to_vec(&v).unwrap(), Vec::new()), Err(TokenError::Damaged(_))));
    v["user_auth"]["tries_left"] = 3.into();
    v["kdf"]["m_kib"] = 4_000_000.into();
    let mut c = SoftCard::open(&serde_json::to_vec(&v).unwrap(), Vec::new()).unwrap();
    assert!(matches!(c.sign_digest(&pin(), &[0; 32]), Err(TokenError::Damaged(_))));
}

#[test]
fn default_kdf_is_memory_hard() {
    let k = KdfParams::default();
    assert!(k.m_kib >= 19 * 1024 && k.t >= 2, "{k:?}");
}

// ---- login ----

fn respond(card: &mut SoftCard<Vec<u8>>, c: &Challenge, secret: &Secret) -> LoginResponse {
    let sig = card.sign_digest(secret, &c.digest()).unwrap();
    let kind = secret.kind();
    let cert = CardCert::parse(card.certificate(kind).unwrap().as_bytes()).unwrap();
    LoginResponse {
        challenge: c.text(),
        certificate: Base64::encode_string(&cert.der),
        signature: Base64::encode_string(&sig),
    }
}

fn verifier() -> LoginVerifier {
    LoginVerifier::new(trust(authority()), b"service secret")
}

fn login(
    v: &LoginVerifier,
    book: &mut ChallengeBook,
    r: &LoginResponse,
    status: Status,
    now: i64,
) -> Result<String, LoginError> {
    let cert = v.certificate(r)?;
    v.verify(book, r, &cert, status, now).map(|ok| ok.pseudonym)
}

#[test]
fn login_opens_a_session_under_a_pseudonym_once() {
    let (mut card, _) = card(authority(), 60);
    let v = verifier();
    let mut book = ChallengeBook::new("https://portal.test", 120, 100);
    let c = book.issue([1; 16], NOW).unwrap();
    assert_eq!(Challenge::parse(&c.text()).unwrap(), c);
    let r = respond(&mut card, &c, &pin());
    let p = login(&v, &mut book, &r, Status::Good, NOW).unwrap();
    assert_eq!(p.len(), 32);
    assert!(!p.contains("123456789012"));
    // Replay: refused.
    assert_eq!(login(&v, &mut book, &r, Status::Good, NOW).unwrap_err(), LoginError::UnknownChallenge);
    // The same card at another service gets another pseudonym.
    let other = LoginVerifier::new(trust(authority()), b"another service");
    let mut book2 = ChallengeBook::new("https://bank.test", 120, 100);
    let c2 = book2.issue([2; 16], NOW).unwrap();
    let r2 = respond(&mut card, &c2, &pin());
    assert_ne!(login(&other, &mut book2, &r2, Status::Good, NOW).unwrap(), p);
}

#[test]
fn login_refusals() {
    let (mut card, _) = card(authority(), 70);
    let v = verifier();
    let mut book = ChallengeBook::new("https://portal.test", 120, 100);

    // Signature over a different challenge.
    let c1 = book.issue([3; 16], NOW).unwrap();
    let c2 = book.issue([4; 16], NOW).unwrap();
    let mut r = respond(&mut card, &c1, &pin());
    r.challenge = c2.text();
    assert_eq!(
        login(&v, &mut book, &r, Status::Good, NOW).unwrap_err(),
        LoginError::Certificate(PkiError::SignatureInvalid)
    );

    // The signing key used to log in.
    let c3 = book.issue([5; 16], NOW).unwrap();
    let r = respond(&mut card, &c3, &password());
    assert_eq!(
        login(&v, &mut book, &r, Status::Good, NOW).unwrap_err(),
        LoginError::Certificate(PkiError::WrongPolicy { wanted: CertKind::UserAuth, got: CertKind::Signing })
    );

    // A revoked certificate.
    let c4 = book.issue([6; 16], NOW).unwrap();
    let r = respond(&mut card, &c4, &pin());
    let revoked = Status::Revoked { at: NOW - 5, reason: Reason::Suspended };
    assert!(matches!(login(&v, &mut book, &r, revoked, NOW), Err(LoginError::Certificate(PkiError::Revoked { .. }))));

    // Expired challenge.
    let c5 = book.issue([7; 16], NOW).unwrap();
    let r = respond(&mut card, &c5, &pin());
    assert_eq!(login(&v, &mut book, &r, Status::Good, NOW + 121).unwrap_err(), LoginError::Expired);

    // A challenge this service never issued, and one for another service.
    let forged = Challenge { service: "https://portal.test".into(), nonce: [8; 16], expires: NOW + 60 };
    let r = respond(&mut card, &forged, &pin());
    assert_eq!(login(&v, &mut book, &r, Status::Good, NOW).unwrap_err(), LoginError::UnknownChallenge);
    let elsewhere = Challenge { service: "https://evil.test".into(), nonce: [9; 16], expires: NOW + 60 };
    let r = respond(&mut card, &elsewhere, &pin());
    assert!(matches!(login(&v, &mut book, &r, Status::Good, NOW), Err(LoginError::OtherService(_))));

    // Garbage.
    assert_eq!(Challenge::parse("hello").unwrap_err(), LoginError::MalformedChallenge);
    let mut r = respond(&mut card, &c2, &pin());
    r.certificate = "!!".into();
    assert!(matches!(
        login(&v, &mut book, &r, Status::Good, NOW),
        Err(LoginError::Certificate(PkiError::MalformedCertificate(_)))
    ));
}

#[test]
fn challenge_book_keeps_nothing_until_a_card_signs() {
    let (mut card, _) = card(authority(), 80);
    let v = verifier();
    let mut book = ChallengeBook::new("https://portal.test", 10, 2);
    // Handing out challenges fills nothing: a client asking for many gets them all.
    for i in 0..10_000u32 {
        let mut r = [0u8; 16];
        r[..4].copy_from_slice(&i.to_be_bytes());
        book.issue(r, NOW).unwrap();
    }
    assert_eq!(book.outstanding(), 0);
    // The book rebuilds a challenge it showed from its salt and expiry.
    let c = book.issue([1; 16], NOW).unwrap();
    assert_eq!(book.at([1; 8], c.expires).unwrap(), c);
    // Only redeemed ones are remembered, at most `capacity` until they expire.
    for seed in [2u8, 3] {
        let c = book.issue([seed; 16], NOW).unwrap();
        login(&v, &mut book, &respond(&mut card, &c, &pin()), Status::Good, NOW).unwrap();
    }
    assert_eq!(book.outstanding(), 2);
    let c = book.issue([4; 16], NOW).unwrap();
    let r = respond(&mut card, &c, &pin());
    assert_eq!(login(&v, &mut book, &r, Status::Good, NOW).unwrap_err(), LoginError::Busy);
    let c = book.issue([5; 16], NOW + 11).unwrap();
    let r = respond(&mut card, &c, &pin());
    login(&v, &mut book, &r, Status::Good, NOW + 11).unwrap();
    // A challenge with a forged expiry (its MAC no longer matches) is not this book's.
    let mut late = book.issue([6; 16], NOW).unwrap();
    late.expires += 100;
    let r = respond(&mut card, &late, &pin());
    assert_eq!(login(&v, &mut book, &r, Status::Good, NOW).unwrap_err(), LoginError::UnknownChallenge);
}

#[test]
fn a_new_signing_key_at_the_counter_needs_the_password_and_the_reset_key() {
    let (mut card, reset_key) = card(authority(), 90);
    let old = card.certificate(CertKind::Signing).unwrap().to_string();
    let d = [7u8; 32];
    // A wrong reset key, or a wrong password: nothing changes (the password try is spent).
    assert_eq!(card.renew_signing(&password(), &[0; 32]).unwrap_err(), TokenError::WrongResetKey);
    let wrong = Secret::new(CertKind::Signing, "WRONG1").unwrap();
    assert!(matches!(card.renew_signing(&wrong, &reset_key).unwrap_err(), TokenError::WrongSecret { .. }));
    assert_eq!(card.certificate(CertKind::Signing), Some(old.as_str()));
    // Renewed: the old certificate leaves with the old key, and does not fit the new one.
    let csr = card.renew_signing(&password(), &reset_key).unwrap();
    assert_eq!(card.certificate(CertKind::Signing), None);
    assert!(matches!(card.sign_digest(&password(), &d).unwrap_err(), TokenError::NotIssued(_)));
    assert!(card.install_signing(&old).is_err(), "the old certificate is for another key");
    let new = issue_one(authority(), CertKind::Signing, 92, &csr, NOW + 86_400 * 365);
    card.install_signing(&pem(&new)).unwrap();
    let sig = card.sign_digest(&password(), &myna_pki::sha256(b"moved")).unwrap();
    let cert = CardCert::parse(card.certificate(CertKind::Signing).unwrap().as_bytes()).unwrap();
    cert.public_key().unwrap().verify(b"moved", &sig).unwrap();
    // The reset key still opens the new key: a forgotten password is reset as before.
    let again = Secret::new(CertKind::Signing, "NEW123").unwrap();
    card.reset(&reset_key, &again).unwrap();
    assert!(card.sign_digest(&again, &d).is_ok());
}
