//! What both roles do on the wire: signed bodies in, signed bodies out.

pub use myna_node::{CallError, jose, now_ms, now_secs, post_jws};
