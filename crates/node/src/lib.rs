//! HTTP plumbing every node shares: HTTPS with certificates from the network's own CA,
//! JSON errors that say what to fix, Prometheus metrics, `/healthz`, `/openapi.json`.
//! Role crates bring their routes; this crate serves them.

pub mod access;
mod call;
mod error;
mod json;
mod limits;
mod metrics;
mod peer;
mod refusal;
mod server;
mod tls;
pub mod web;

pub use call::{CallError, JOSE, error_chain, get_json, jose, now_ms, now_secs, post_for_bytes, post_json, post_jws};
pub use error::ApiError;
pub use json::ApiJson;
pub use limits::{BodyDeadline, Limits, allow_slow_body};
pub use metrics::Metrics;
pub use peer::{Peer, only_peers};
pub use refusal::{REFUSAL_HEADER, Refusal, RefusalLimit, Refusals, RemoteIp, refusals};
pub use server::{BODY_LIMIT, ClientAuth, RunningNode, serve, serve_limited, serve_with};
pub use tls::{NodeIdentity, TlsError, write_private};

/// Japan's time zone (UTC+9, no daylight saving).
pub const JST: time::UtcOffset = time::macros::offset!(+9);

/// Today in Japan (UTC+9): the calendar every registry date is checked against.
pub fn today_jst() -> time::Date {
    time::OffsetDateTime::now_utc().to_offset(JST).date()
}

/// How a route layer checks a caller from the request's headers alone.
pub type HeaderCheck<S> = fn(&S, &axum::http::HeaderMap) -> Result<(), ApiError>;

/// A route layer's middleware (`route_layer(from_fn_with_state((state, check), check_caller))`):
/// the caller is checked before anything reads the request's body, so a caller without
/// credentials costs the node no memory for what it sends.
pub async fn check_caller<S: Clone + Send + Sync + 'static>(
    axum::extract::State((state, check)): axum::extract::State<(S, HeaderCheck<S>)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match check(&state, req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => access::drained(req, e.into_response()).await,
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}
