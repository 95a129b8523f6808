//! Store errors as API answers.

use crate::store::RegistryError;
use myna_node::ApiError;

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        from_store(e)
    }
}

pub(crate) fn from_store(e: RegistryError) -> ApiError {
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
        RegistryError::Store(e) => ApiError::store(e),
        other => ApiError::internal(other),
    }
}
