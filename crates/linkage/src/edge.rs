//! What both roles' edges share: how a signed message that was not accepted is answered.

use myna_link::{EnvelopeError, MessageError, SignError};
use myna_node::ApiError;

/// Why a signed message was not accepted, for its sender.
pub fn rejected(e: EnvelopeError) -> ApiError {
    match e {
        EnvelopeError::Sign(SignError::Malformed(_) | SignError::Body(_)) => {
            ApiError::bad_request("malformed_message", e.to_string())
        }
        EnvelopeError::Sign(SignError::Algorithm(_)) => ApiError::unauthorized("unsigned", e.to_string()),
        EnvelopeError::Sign(SignError::BadSignature) => ApiError::unauthorized("bad_signature", e.to_string()),
        EnvelopeError::Sign(_) => ApiError::unauthorized("untrusted_sender", e.to_string()),
        EnvelopeError::Message(MessageError::Stale(_)) => ApiError::unauthorized("stale_or_replayed", e.to_string()),
        EnvelopeError::Message(_) => ApiError::unauthorized("wrong_envelope", e.to_string()),
    }
}
