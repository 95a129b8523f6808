#![no_main]
//! A card file as the holder's tool opens it: never a panic, a reason for what does not open.
use libfuzzer_sys::fuzz_target;
use myna_pki::softcard::SoftCard;

fuzz_target!(|data: &[u8]| {
    let _ = SoftCard::open(data, Vec::new());
});
