//! The one rule for ids written in data files and on the wire.

/// 1–64 bytes of a–z, 0–9, `_`, and any of `extra`.
pub(crate) fn is_valid_id(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || extra.contains(&b))
}
