//! Calling another node with a signed body (compact JWS), and answering with one.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

pub const JOSE: &str = "application/jose";

/// A signed answer.
pub fn jose(jws: String) -> Response {
    ([(header::CONTENT_TYPE, JOSE)], jws).into_response()
}

/// A failure calling another node.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0} could not be reached: {1}")]
    Unreachable(String, String),
    #[error("{url} answered {status}: {message}")]
    Refused { url: String, status: u16, code: String, message: String },
}

/// POSTs a signed body and returns the signed answer's text; an error answer's code and
/// message are kept for the caller to pass on.
pub async fn post_jws(client: &reqwest::Client, url: &str, jws: String) -> Result<String, CallError> {
    answer_text(client.post(url).header(header::CONTENT_TYPE.as_str(), JOSE).body(jws), url).await
}

/// GETs another node's JSON (a read API that needs no signature: proofs, directory entries).
pub async fn get_json<T: serde::de::DeserializeOwned>(client: &reqwest::Client, url: &str) -> Result<T, CallError> {
    let text = answer_text(client.get(url), url).await?;
    serde_json::from_str(&text).map_err(|e| CallError::Unreachable(url.to_string(), format!("its answer: {e}")))
}

/// POSTs JSON to another node over mutual TLS and reads its JSON answer.
pub async fn post_json<B: serde::Serialize, T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    body: &B,
) -> Result<T, CallError> {
    let text = answer_text(client.post(url).json(body), url).await?;
    serde_json::from_str(&text).map_err(|e| CallError::Unreachable(url.to_string(), format!("its answer: {e}")))
}

/// POSTs JSON to another node and reads its answer as bytes (a document to print), refused
/// as [`post_json`] is.
pub async fn post_for_bytes<B: serde::Serialize>(
    client: &reqwest::Client,
    url: &str,
    body: &B,
) -> Result<Vec<u8>, CallError> {
    answer_bytes(client.post(url).json(body), url).await
}

async fn answer_text(req: reqwest::RequestBuilder, url: &str) -> Result<String, CallError> {
    let bytes = answer_bytes(req, url).await?;
    String::from_utf8(bytes).map_err(|_| CallError::Unreachable(url.to_string(), "its answer is not UTF-8".into()))
}

async fn answer_bytes(req: reqwest::RequestBuilder, url: &str) -> Result<Vec<u8>, CallError> {
    let res = req.send().await.map_err(|e| CallError::Unreachable(url.to_string(), error_chain(&e)))?;
    let status = res.status();
    let bytes = res.bytes().await.map_err(|e| CallError::Unreachable(url.to_string(), error_chain(&e)))?;
    if status.is_success() {
        return Ok(bytes.to_vec());
    }
    let text = String::from_utf8_lossy(&bytes);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    Err(CallError::Refused {
        url: url.to_string(),
        status: status.as_u16(),
        code: v["error"]["code"].as_str().unwrap_or("unknown").to_string(),
        message: v["error"]["message"].as_str().unwrap_or(&text).chars().take(500).collect(),
    })
}

/// An error with its causes (reqwest keeps the TLS reason in the chain).
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

/// Now, in unix seconds.
pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}
