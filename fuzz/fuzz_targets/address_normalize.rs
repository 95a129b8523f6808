#![no_main]
//! Any text: normalization never panics, and normalizing its own output changes nothing.
use libfuzzer_sys::fuzz_target;
use myna_text::address::normalize;

fuzz_target!(|data: &str| {
    let once = normalize(data);
    let twice = normalize(&once.to_line());
    assert_eq!(once.to_line(), twice.to_line());
});
