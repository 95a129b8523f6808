//! base64url without padding, as JOSE writes it.

use base64ct::{Base64UrlUnpadded, Encoding as _};

pub(crate) fn enc(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub(crate) fn dec(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// SHA-256, base64url: the digest of a disclosure and of a presentation (`sd_hash`).
pub(crate) fn sha256(text: &str) -> String {
    enc(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes()).as_ref())
}
