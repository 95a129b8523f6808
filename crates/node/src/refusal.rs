//! Refusals are answers too: every 401 and 403 a node gives is signed by the node (a
//! `Myna-Refusal` header, a compact JWS by the node's certificate naming the node, the caller,
//! the request and the reason) and written to the node's log. Refusals for want of a
//! credential or by the authorization table (every 401; 403 `caller_not_allowed`,
//! `not_listed`) are counted per caller and route; a caller refused too often on a route in a
//! minute is answered 429 there without its request being handled, so a stranger guessing
//! credentials gets nowhere fast and costs the node little. A route's own refusals of a
//! caller it lets in (a resident not kept by this municipality, a query off the permission
//! table) are answers about data, recorded where they belong, and not counted here.
//!
//! The caller is its certificate's name when it shows one, else its IP address.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use crate::Peer;

/// The response header that carries a refusal's signed statement.
pub const REFUSAL_HEADER: &str = "myna-refusal";

/// The client's IP address, put on every request by the acceptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteIp(pub IpAddr);

/// What a node signs when it refuses: enough for the caller to show what was refused, when,
/// by whom and why, and for the node's operator to find it in the log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    /// The refusing node's network id.
    pub node: String,
    /// The caller: `peer:<certificate name>` or `ip:<address>`.
    pub caller: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The answer's stable error code (`caller_not_allowed`, `client_certificate` …).
    pub code: String,
    /// Unix seconds.
    pub at: i64,
}

/// How many refusals one caller may have in a window before it is answered 429.
#[derive(Debug, Clone, Copy)]
pub struct RefusalLimit {
    pub per_window: u32,
    pub window: Duration,
}

impl Default for RefusalLimit {
    fn default() -> Self {
        Self { per_window: 120, window: Duration::from_secs(60) }
    }
}

struct Count {
    since: Instant,
    refused: u32,
}

/// A node's refusal book: the signing key and the count per caller in the current window.
#[derive(Clone)]
pub struct Refusals {
    inner: Arc<Inner>,
}

struct Inner {
    key: Option<myna_link::NodeKey>,
    node: String,
    limit: RefusalLimit,
    counts: Mutex<HashMap<String, Count>>,
}

/// Callers remembered at once; beyond this the oldest windows are dropped first.
const CALLERS: usize = 100_000;

impl Refusals {
    /// `key` signs refusals; without one (a node that cannot parse its own key) they go
    /// unsigned but are still logged and counted.
    pub fn new(key: Option<myna_link::NodeKey>, limit: RefusalLimit) -> Self {
        let node = key.as_ref().map(|k| k.id().to_string()).unwrap_or_default();
        Self { inner: Arc::new(Inner { key, node, limit, counts: Mutex::default() }) }
    }

    /// Seconds until `caller` may be heard again, if it is over its limit now.
    fn blocked(&self, caller: &str, now: Instant) -> Option<u64> {
        let counts = self.inner.counts.lock().ok()?;
        let c = counts.get(caller)?;
        let end = c.since + self.inner.limit.window;
        (c.refused >= self.inner.limit.per_window && now < end).then(|| (end - now).as_secs().max(1))
    }

    fn count(&self, caller: &str, now: Instant) {
        let Ok(mut counts) = self.inner.counts.lock() else { return };
        if counts.len() >= CALLERS && !counts.contains_key(caller) {
            let window = self.inner.limit.window;
            counts.retain(|_, c| now.duration_since(c.since) < window);
        }
        let c = counts.entry(caller.to_owned()).or_insert(Count { since: now, refused: 0 });
        if now.duration_since(c.since) >= self.inner.limit.window {
            *c = Count { since: now, refused: 0 };
        }
        c.refused = c.refused.saturating_add(1);
    }

    fn sign(&self, r: &Refusal) -> Option<HeaderValue> {
        let jws = self.inner.key.as_ref()?.sign(r).ok()?;
        HeaderValue::from_str(&jws).ok()
    }
}

/// The refusals that count toward the limit: no credential, or not this caller.
fn counts(status: StatusCode, code: &str) -> bool {
    status == StatusCode::UNAUTHORIZED || matches!(code, "caller_not_allowed" | "not_listed")
}

fn caller_of(req: &Request) -> String {
    if let Some(Some(Peer(p))) = req.extensions().get::<Option<Peer>>() {
        return format!("peer:{p}");
    }
    match req.extensions().get::<RemoteIp>() {
        Some(RemoteIp(ip)) => format!("ip:{ip}"),
        None => "ip:unknown".into(),
    }
}

/// The error code of a JSON error answer (`{"error": {"code": …}}` or OAuth's `{"error": …}`).
fn code_of(body: &[u8]) -> String {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum E {
        Api { error: Code },
        OAuth { error: String },
    }
    #[derive(Deserialize)]
    struct Code {
        code: String,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(E::Api { error }) => error.code,
        Ok(E::OAuth { error }) => error,
        Err(_) => "refused".into(),
    }
}

/// Error answers are small (a JSON error, or a refusal page); the body is read whole to find
/// its code and passed on as it was, up to this.
const CODE_BODY_LIMIT: usize = 1024 * 1024;

/// The middleware (outermost but one, so it sees every route's answer).
pub async fn refusals(State(book): State<Refusals>, req: Request, next: Next) -> Response {
    let caller = caller_of(&req);
    let route = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_owned());
    let key = format!("{caller} {} {}", req.method(), route.as_deref().unwrap_or("(unrouted)"));
    let now = Instant::now();
    if let Some(wait) = book.blocked(&key, now) {
        let mut r = crate::ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_refusals",
            format!(
                "{} requests from {caller} to this route were refused in the last {} s; wait {wait} s, and \
                 read what the refusals said (their Myna-Refusal header names each reason)",
                book.inner.limit.per_window,
                book.inner.limit.window.as_secs()
            ),
        )
        .into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return crate::access::drained(req, r).await;
    }
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    let status = res.status();
    if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, CODE_BODY_LIMIT).await.unwrap_or_default();
    let code = code_of(&bytes);
    if counts(status, &code) {
        book.count(&key, now);
    }
    let refusal = Refusal {
        node: book.inner.node.clone(),
        caller,
        method,
        path,
        status: status.as_u16(),
        code,
        at: crate::now_secs(),
    };
    tracing::warn!(
        caller = %refusal.caller, method = %refusal.method, path = %refusal.path,
        status = refusal.status, code = %refusal.code, "refused"
    );
    if let Some(v) = book.sign(&refusal) {
        parts.headers.insert(REFUSAL_HEADER, v);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Adds the 429 this layer may give to every operation of an OpenAPI document, so clients
/// and fuzzers know it (the document is the node's own; one that does not parse is left as is).
pub fn document_429(openapi_json: String) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&openapi_json) else { return openapi_json };
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return openapi_json };
    for item in paths.values_mut() {
        let Some(ops) = item.as_object_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
                responses.entry("429").or_insert_with(|| {
                    serde_json::json!({
                        "description": "too many of this caller's requests to this route were refused for want of a \
                                        credential or by the authorization table in the last minute; wait \
                                        Retry-After seconds"
                    })
                });
            }
        }
    }
    serde_json::to_string(&doc).unwrap_or(openapi_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_its_limit_waits_out_the_window_and_others_do_not() {
        let book = Refusals::new(None, RefusalLimit { per_window: 3, window: Duration::from_secs(60) });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(book.blocked("ip:10.0.0.1", t0), None);
            book.count("ip:10.0.0.1", t0);
        }
        assert_eq!(book.blocked("ip:10.0.0.1", t0), Some(60));
        assert_eq!(book.blocked("ip:10.0.0.2", t0), None, "another caller is not held back");
        assert_eq!(book.blocked("ip:10.0.0.1", t0 + Duration::from_secs(61)), None, "a new window starts");
    }

    #[test]
    fn the_code_is_read_from_both_error_shapes() {
        assert_eq!(code_of(br#"{"error":{"code":"caller_not_allowed","message":"x"}}"#), "caller_not_allowed");
        assert_eq!(code_of(br#"{"error":"invalid_client"}"#), "invalid_client");
        assert_eq!(code_of(b"<html>"), "refused");
    }
}
