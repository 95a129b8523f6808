//! Statuses for J-LIS's errors, in one place: every route answers through these.

use myna_node::ApiError;

use crate::{
    error::JlisError,
    store::{CardError, RegistryError},
};

impl From<JlisError> for ApiError {
    fn from(e: JlisError) -> Self {
        match e {
            JlisError::Registry(e) => registry(e),
            JlisError::Card(CardError::NoSuchCard(n)) => ApiError::not_found(format!("no card numbered {n:012}")),
            JlisError::Card(e @ (CardError::WrongState { .. } | CardError::AlreadyHolds(..))) => {
                ApiError::conflict("card_state", e.to_string())
            }
            JlisError::Card(CardError::Store(e))
            | JlisError::Store(e)
            | JlisError::AccessLog(myna_store::GroupError::Store(e)) => ApiError::store(e),
            e @ JlisError::AccessLog(myna_store::GroupError::Stopped) => ApiError::internal(e),
            JlisError::Pki(e) => ApiError::unprocessable("certificate_refused", e.to_string()),
            e @ JlisError::Invalid { .. } => ApiError::unprocessable("invalid_field", e.to_string()),
            JlisError::NotFound(m) => ApiError::not_found(m),
            e @ JlisError::NoIdempotencyKey => ApiError::bad_request("idempotency_key", e.to_string()),
            JlisError::LookupRefused(m) => ApiError::unprocessable("lookup_refused", m),
            JlisError::Conflict { code, reason } => ApiError::conflict(code, reason),
            JlisError::Unauthenticated(m) => ApiError::unauthorized("unauthorized", m),
            JlisError::Forbidden { code, reason } => ApiError::forbidden(code, reason),
            JlisError::Rejected(m) => ApiError::unauthorized("rejected", m),
            e @ JlisError::NoHub => ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "no_hub", e.to_string()),
            e @ JlisError::Hub(_) => ApiError::bad_gateway("hub", e.to_string()),
            JlisError::Internal(m) => ApiError::internal(m),
        }
    }
}

fn registry(e: RegistryError) -> ApiError {
    match e {
        RegistryError::Event(e) => ApiError::unprocessable("event_refused", e.to_string()),
        RegistryError::Date(e) => ApiError::unprocessable("invalid_date", e.to_string()),
        RegistryError::NoSuchResident(c) => ApiError::not_found(format!("no resident with record code {c}")),
        RegistryError::NoSuchHousehold(h) => {
            ApiError::unprocessable("no_such_household", format!("household {h} has nobody living in it"))
        }
        RegistryError::IdempotencyConflict(k) => ApiError::conflict(
            "idempotency_conflict",
            format!("Idempotency-Key {k:?} was already used for a different request"),
        ),
        e @ RegistryError::NotItsResident(_) => ApiError::forbidden("not_its_resident", e.to_string()),
        RegistryError::Store(e) => ApiError::store(e),
        other => ApiError::internal(other),
    }
}

/// The authorization table (`access.rs`) at the edge: every routed request is checked against
/// its entry before its body is read; a refusal says what the caller needs, and is logged.
pub(crate) async fn authorize(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_string());
    let peer = req.extensions().get::<Option<myna_node::Peer>>().cloned().flatten();
    // HEAD is answered as GET is (axum does so), and authorized as GET.
    let method = if req.method() == axum::http::Method::HEAD { "GET" } else { req.method().as_str() };
    let allow = path.as_deref().and_then(|p| crate::access::entry(method, p));
    if allow.is_none() {
        // A path of the table called with a method it does not list: 405 with the methods it
        // does (the table, not the router, decides what a path answers to).
        let methods = path.as_deref().map(crate::access::methods).unwrap_or_default();
        if !methods.is_empty() {
            let mut r = ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("this path answers {}", methods.join(", ")),
            )
            .into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&methods.join(", ")) {
                r.headers_mut().insert(axum::http::header::ALLOW, v);
            }
            return r;
        }
    }
    match crate::access::decide(allow, peer.as_ref()) {
        Ok(()) => next.run(req).await,
        Err(refused) => {
            let caller = peer.as_ref().map(|p| p.0.as_str()).unwrap_or("(no certificate)");
            tracing::warn!(caller, method = %req.method(), path = path.as_deref().unwrap_or("?"), reason = %refused, "refused by the authorization table");
            match refused {
                crate::access::Refused::Anonymous(_) => {
                    ApiError::unauthorized("client_certificate", refused.to_string())
                }
                _ => ApiError::forbidden("not_authorized", refused.to_string()),
            }
            .into_response()
        }
    }
}

/// The caller as the core needs it, from the certificate the TLS acceptor put on the request
/// (the table has already let it in; a route that needs one and got none answers 401).
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for crate::access::Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Option<myna_node::Peer>>()
            .cloned()
            .flatten()
            .map(|p| crate::access::Caller::of(&p))
            .ok_or_else(|| {
                ApiError::unauthorized("client_certificate", "present your network certificate (mutual TLS)")
            })
    }
}
