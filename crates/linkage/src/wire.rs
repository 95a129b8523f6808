//! What both roles do on the wire: signed bodies in, signed bodies out, errors that say why.

use axum::http::StatusCode;
use myna_link::{EnvelopeError, MessageError, SignError};
use myna_node::ApiError;
pub use myna_node::{CallError, jose, now_ms, now_secs, post_jws};

/// Why a signed message was not accepted, for its sender.
pub fn rejected(e: EnvelopeError) -> ApiError {
    let status = StatusCode::UNAUTHORIZED;
    match e {
        EnvelopeError::Sign(SignError::Malformed(_) | SignError::Body(_)) => {
            ApiError::bad_request("malformed_message", e.to_string())
        }
        EnvelopeError::Sign(SignError::Algorithm(_)) => ApiError::new(status, "unsigned", e.to_string()),
        EnvelopeError::Sign(SignError::BadSignature) => ApiError::new(status, "bad_signature", e.to_string()),
        EnvelopeError::Sign(_) => ApiError::new(status, "untrusted_sender", e.to_string()),
        EnvelopeError::Message(MessageError::Stale(_)) => ApiError::new(status, "stale_or_replayed", e.to_string()),
        EnvelopeError::Message(_) => ApiError::new(status, "wrong_envelope", e.to_string()),
    }
}
