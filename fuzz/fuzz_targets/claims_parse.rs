//! Claims files and eligibility records come from outside: any bytes either parse or are
//! refused with reasons, never a panic; an accepted eligibility record round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(errs) = myna_health::parse_claims(text) {
        assert!(!errs.is_empty());
    }
    if let Ok(e) = serde_json::from_str::<myna_health::Eligibility>(text) {
        let _ = e.check();
        let back: myna_health::Eligibility = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
});
