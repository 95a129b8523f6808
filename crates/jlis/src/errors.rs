//! Store errors as API answers.

use myna_node::ApiError;
use myna_store::StoreError;

pub(crate) fn from_store(e: StoreError) -> ApiError {
    match e {
        StoreError::Event(e) => ApiError::unprocessable("event_refused", e.to_string()),
        StoreError::Date(e) => ApiError::unprocessable("invalid_date", e.to_string()),
        StoreError::NoSuchResident(c) => ApiError::not_found(format!("no resident with record code {c}")),
        StoreError::NoSuchHousehold(h) => {
            ApiError::unprocessable("no_such_household", format!("household {h} has nobody living in it"))
        }
        StoreError::IdempotencyConflict(k) => ApiError::conflict(
            "idempotency_conflict",
            format!("Idempotency-Key {k:?} was already used for a different request"),
        ),
        other => ApiError::store(other),
    }
}
