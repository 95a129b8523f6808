#![no_main]
//! What a node receives from another: a compact JWS (header with the sender's certificate
//! chain, payload, signature), the envelope inside it, a sealed payload, a peer certificate.
//! Never a panic; nothing opens without the network CA's signature.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use myna_link::{AgencyId, NetworkTrust, open_envelope, seal::{SealKey, Sealed}};

const NOW: i64 = 1_796_000_000;

fn parts() -> &'static (NetworkTrust, SealKey, AgencyId) {
    static P: OnceLock<(NetworkTrust, SealKey, AgencyId)> = OnceLock::new();
    P.get_or_init(|| {
        let trust = NetworkTrust::from_ca_pem(include_str!("../fixtures/ca.pem")).unwrap();
        (trust, SealKey::generate().unwrap(), "hub".parse().unwrap())
    })
}

fuzz_target!(|data: &[u8]| {
    let (trust, key, me) = parts();
    let _ = myna_link::certificate_id(data);
    let Ok(s) = std::str::from_utf8(data) else { return };
    assert!(trust.open::<serde_json::Value>(s, NOW).is_err(), "opened without a signature of the CA");
    assert!(open_envelope::<serde_json::Value>(trust, s, me, NOW).is_err());
    if let Ok(sealed) = serde_json::from_str::<Sealed>(s) {
        assert!(key.open(&sealed, b"aad").is_err(), "opened a payload not sealed to this key");
    }
    let _ = s.parse::<AgencyId>();
});
