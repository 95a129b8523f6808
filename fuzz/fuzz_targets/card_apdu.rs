#![no_main]
//! What a card reader and a card say to each other: command and response APDUs, and a
//! software card answering any sequence of commands (each input a fresh card, the commands
//! length-prefixed). Never a panic; a command that parses writes back its bytes; a card
//! answers every command with at least its status word.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use myna_pki::{
    CertKind, Secret,
    apdu::{Command, Response},
    jpki_ap::Applet,
    softcard::{KdfParams, SoftCard},
};

fn fresh() -> &'static Vec<u8> {
    static CARD: OnceLock<Vec<u8>> = OnceLock::new();
    CARD.get_or_init(|| {
        // A light key derivation: the fuzzer tries many PINs.
        let kdf = KdfParams { m_kib: 8, t: 1, p: 1 };
        let sign = Secret::new(CertKind::Signing, "DEMO2026").unwrap();
        let auth = Secret::new(CertKind::UserAuth, "1234").unwrap();
        let (card, _) = SoftCard::create(&sign, &auth, kdf, Vec::new()).unwrap();
        card.into_store()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Command::parse(data) {
        assert_eq!(Command::parse(&c.bytes()).ok(), Some(c));
    }
    if let Ok(r) = Response::parse(data) {
        assert_eq!(r.bytes(), data);
    }
    let Ok(card) = SoftCard::open(fresh(), Vec::new()) else { return };
    let mut chip = Applet::new(card);
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let (apdu, more) = tail.split_at(usize::from(len).min(tail.len()));
        assert!(chip.process(apdu).len() >= 2, "an answer without a status word");
        rest = more;
    }
});
