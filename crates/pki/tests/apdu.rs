//! The JPKI application's APDUs, host against card, over the software card: the certificates
//! read back byte for byte, the tries the chip reports, a wrong PIN counted down to the lock,
//! a key that signs only after its secret in this session, and a signature that verifies
//! with the certificate read — the same commands a real My Number Card answers.

mod common;

use common::*;
use myna_pki::apdu::{Command, Response, sw};
use myna_pki::jpki_ap::{Applet, JPKI_AID, ef};
use myna_pki::jpki_host::{HostError, JpkiCard};
use myna_pki::token::{CardToken, TokenError};
use myna_pki::{Authority, CardCert, CertKind, Secret};
use std::sync::OnceLock;

fn authority() -> &'static Authority {
    static A: OnceLock<Authority> = OnceLock::new();
    A.get_or_init(|| Authority::create(NOW - 3600).unwrap())
}

#[test]
fn the_host_reads_verifies_and_signs_through_the_card_s_apdus() {
    let (card, _) = card(authority(), 40);
    let auth_pem = card.certificate(CertKind::UserAuth).unwrap().to_string();
    let sign_pem = card.certificate(CertKind::Signing).unwrap().to_string();
    let mut host = JpkiCard::new(Applet::new(card));
    host.select().unwrap();

    // Both certificates, as DER, the same as the card holds them.
    let auth = host.certificate(CertKind::UserAuth).unwrap();
    assert_eq!(auth, CardCert::parse(auth_pem.as_bytes()).unwrap().der);
    assert_eq!(host.certificate(CertKind::Signing).unwrap(), CardCert::parse(sign_pem.as_bytes()).unwrap().der);
    assert!(auth.len() > 256, "read in several READ BINARY commands");

    // The tries the chip reports; a wrong PIN answers how many are left.
    assert_eq!(host.tries_left(CertKind::UserAuth), Ok(3));
    assert_eq!(host.tries_left(CertKind::Signing), Ok(5));
    let wrong = Secret::new(CertKind::UserAuth, "9999").unwrap();
    assert_eq!(
        host.verify(&wrong),
        Err(HostError::Token(TokenError::WrongSecret { kind: CertKind::UserAuth, tries_left: 2 }))
    );
    assert_eq!(host.tries_left(CertKind::UserAuth), Ok(2));

    // The chip signs a DigestInfo after the PIN; the signature verifies with the certificate.
    let digest = myna_pki::sha256(b"login challenge");
    let sig = host.sign(&pin(), &digest).unwrap();
    assert_eq!(host.tries_left(CertKind::UserAuth), Ok(3), "a right PIN fills the counter again");
    let cert = CardCert::parse(&auth).unwrap();
    cert.public_key().unwrap().verify(b"login challenge", &sig).unwrap();

    // Three wrong PINs lock it; then even the right one is refused, and the signing key is not.
    for left in [2, 1] {
        assert_eq!(
            host.verify(&wrong),
            Err(HostError::Token(TokenError::WrongSecret { kind: CertKind::UserAuth, tries_left: left }))
        );
    }
    assert_eq!(host.verify(&wrong), Err(HostError::Token(TokenError::Locked(CertKind::UserAuth))));
    assert_eq!(host.tries_left(CertKind::UserAuth), Ok(0));
    assert_eq!(host.sign(&pin(), &digest), Err(HostError::Token(TokenError::Locked(CertKind::UserAuth))));
    assert!(host.sign(&password(), &digest).is_ok());
    assert!(host.sent > 20, "{} commands", host.sent);
}

#[test]
fn the_card_refuses_what_the_chip_refuses() {
    let (card, _) = card(authority(), 50);
    let mut chip = Applet::new(card);
    let send = |chip: &mut Applet<_>, c: Command| Response::parse(&chip.process(&c.bytes())).unwrap().sw;
    // Nothing before the application is selected; another application is not here.
    assert_eq!(
        send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &ef::AUTH_CERT.to_be_bytes(), None)),
        sw::CONDITIONS_NOT_SATISFIED
    );
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x04, 0x0C, &[0xA0, 0, 0, 0, 1], None)), sw::FILE_NOT_FOUND);
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x04, 0x0C, &JPKI_AID, None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &[0x00, 0x99], None)), sw::FILE_NOT_FOUND);
    // A key does not sign without its secret verified in this session.
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &ef::AUTH_KEY.to_be_bytes(), None)), sw::OK);
    let mut info = myna_pki::jpki_ap::SHA256_DIGEST_INFO.to_vec();
    info.extend_from_slice(&[7; 32]);
    assert_eq!(send(&mut chip, Command::new(0x80, 0x2A, 0x00, 0x80, &info, Some(256))), sw::SECURITY_NOT_SATISFIED);
    // Verified, then the power cycled: not verified any more.
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &ef::AUTH_PIN.to_be_bytes(), None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0, 0x20, 0x00, 0x80, b"1234", None)), sw::OK);
    chip.reset();
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x04, 0x0C, &JPKI_AID, None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &ef::AUTH_KEY.to_be_bytes(), None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0x80, 0x2A, 0x00, 0x80, &info, Some(256))), sw::SECURITY_NOT_SATISFIED);
    // Verified again: not a DigestInfo is refused; an unknown instruction; a malformed APDU.
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &ef::AUTH_PIN.to_be_bytes(), None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0, 0x20, 0x00, 0x80, b"1234", None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0, 0xA4, 0x02, 0x0C, &ef::AUTH_KEY.to_be_bytes(), None)), sw::OK);
    assert_eq!(send(&mut chip, Command::new(0x80, 0x2A, 0x00, 0x80, &[1, 2, 3], Some(256))), sw::WRONG_DATA);
    assert_eq!(send(&mut chip, Command::new(0x80, 0x2A, 0x00, 0x80, &info, Some(256))).to_be_bytes()[0], 0x90);
    assert_eq!(send(&mut chip, Command::new(0, 0xCA, 0, 0, &[], Some(256))), sw::INS_NOT_SUPPORTED);
    assert_eq!(Response::parse(&chip.process(&[0, 0x20])).unwrap().sw, sw::WRONG_LENGTH);
}

#[test]
fn the_face_application_opens_its_items_after_its_own_pin() {
    let (mut card, _) = card(authority(), 60);
    // No face data yet: the card says so.
    let mut host = JpkiCard::new(Applet::new(card));
    host.select().unwrap();
    assert_eq!(host.face(&pin()), Err(HostError::Token(TokenError::NoFace)));
    card = host.into_transport().into_token();
    // J-LIS's signed items (longer than one READ BINARY), behind the 4-digit PIN.
    let signed = format!("eyJhbGciOiJFUzI1NiJ9.{}.sig", "A".repeat(700));
    card.write_face(&pin(), &signed).unwrap();
    let mut host = JpkiCard::new(Applet::new(card));
    host.select().unwrap();
    let wrong = Secret::new(CertKind::UserAuth, "9999").unwrap();
    assert_eq!(host.face(&wrong), Err(HostError::Token(TokenError::WrongFacePin { tries_left: 2 })));
    assert_eq!(host.face(&pin()).unwrap(), signed);
    // The JPKI application is selected again after: the certificates still read.
    assert!(host.certificate(CertKind::UserAuth).is_ok());
}
