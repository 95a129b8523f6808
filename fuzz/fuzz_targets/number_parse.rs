#![no_main]
//! Any text: parsing never panics, and whatever parses prints back to the same number.
use libfuzzer_sys::fuzz_target;
use myna_number::AnyNumber;

fuzz_target!(|data: &str| {
    if let Ok(n) = AnyNumber::parse(data) {
        assert_eq!(AnyNumber::parse(&n.to_string()), Ok(n));
    }
});
