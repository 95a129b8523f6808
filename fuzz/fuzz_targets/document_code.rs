#![no_main]
//! What a verifier is handed for an issued document: a PDF, a photo or scan of its QR code, or
//! the code's text (base45, zlib, COSE_Sign1). Never a panic; nothing checks as valid without
//! an issuer's key.
use libfuzzer_sys::fuzz_target;
use myna_issuance::{IssuerKeys, verify};

fuzz_target!(|data: &[u8]| {
    let _ = verify::read(data);
    assert!(verify::check(data, &IssuerKeys::default(), None).is_err(), "valid without any issuer's key");
});
