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
            JlisError::Upstream(m) => ApiError::bad_gateway("upstream", m),
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
