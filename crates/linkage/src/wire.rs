//! What both roles do on the wire: signed bodies in, signed bodies out, errors that say why.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use myna_link::{EnvelopeError, MessageError, SignError};
use myna_node::ApiError;

pub const JOSE: &str = "application/jose";

pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A signed answer.
pub fn jose(jws: String) -> Response {
    ([(header::CONTENT_TYPE, JOSE)], jws).into_response()
}

/// Why a signed message was not accepted, for its sender.
pub fn rejected(e: EnvelopeError) -> ApiError {
    let status = StatusCode::UNAUTHORIZED;
    match e {
        EnvelopeError::Sign(SignError::Malformed(_) | SignError::Body(_)) => ApiError::bad_request("malformed_message", e.to_string()),
        EnvelopeError::Sign(SignError::Algorithm(_)) => ApiError::new(status, "unsigned", e.to_string()),
        EnvelopeError::Sign(SignError::BadSignature) => ApiError::new(status, "bad_signature", e.to_string()),
        EnvelopeError::Sign(_) => ApiError::new(status, "untrusted_sender", e.to_string()),
        EnvelopeError::Message(MessageError::Stale(_)) => ApiError::new(status, "stale_or_replayed", e.to_string()),
        EnvelopeError::Message(_) => ApiError::new(status, "wrong_envelope", e.to_string()),
    }
}

/// A failure calling another node.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0} could not be reached: {1}")]
    Unreachable(String, String),
    #[error("{url} answered {status}: {message}")]
    Refused { url: String, status: u16, code: String, message: String },
}

/// POSTs a signed body and returns the signed answer's text.
pub async fn post_jws(client: &reqwest::Client, url: &str, jws: String) -> Result<String, CallError> {
    let res = client
        .post(url)
        .header(header::CONTENT_TYPE.as_str(), JOSE)
        .body(jws)
        .send()
        .await
        .map_err(|e| CallError::Unreachable(url.to_string(), error_chain(&e)))?;
    let status = res.status();
    let text = res.text().await.map_err(|e| CallError::Unreachable(url.to_string(), error_chain(&e)))?;
    if status.is_success() {
        return Ok(text);
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    Err(CallError::Refused {
        url: url.to_string(),
        status: status.as_u16(),
        code: v["error"]["code"].as_str().unwrap_or("unknown").to_string(),
        message: v["error"]["message"].as_str().unwrap_or(&text).chars().take(500).collect(),
    })
}

/// reqwest's error with its causes (the TLS reason is in the chain).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
