#![no_main]
//! What a log client reads from the hub: tile paths, hash tiles, entry bundles, signed-note
//! checkpoints, hashes in hex. Never a panic; a bundle that reads writes back the same bytes.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use myna_link::{merkle, note, tiles};

const ORIGIN: &str = "hub.myna.invalid/log";

fn vkey() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| note::NoteSigner::from_seed(ORIGIN, &[7u8; 32]).unwrap().vkey())
}

fuzz_target!(|data: &[u8]| {
    let _ = tiles::TileHashes::from_bytes(data);
    if let Ok(entries) = tiles::unbundle(data) {
        assert_eq!(tiles::bundle(&entries).unwrap(), data, "a bundle reads back to other bytes");
    }
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = tiles::TilePath::parse(s);
    assert!(note::open(s, vkey(), ORIGIN).is_err(), "a checkpoint opened without the log's signature");
    let _ = merkle::hash_from_hex(s);
});
