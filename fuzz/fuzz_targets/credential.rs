#![no_main]
//! What a verifier is shown of a qualification: an SD-JWT VC presentation (issuer JWT,
//! disclosures, key binding), and a Token Status List. Never a panic; nothing verifies
//! without the issuer's key.
use libfuzzer_sys::fuzz_target;
use myna_credential::{Expect, StatusList, sdjwt};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = sdjwt::disclosable(s);
    let _ = sdjwt::present(s, &["registration_number"], None);
    let expect = Expect { aud: "https://hospital.example", nonce: "n", now: 1_796_000_000, max_age: 300 };
    assert!(sdjwt::verify(s, &|_, _| None, &expect).is_err(), "verified without an issuer key");
    if let Ok(jwk) = serde_json::from_str::<myna_credential::Jwk>(s) {
        let _ = StatusList::open(s, &jwk, "https://q.example/v1/status/1");
    }
});
