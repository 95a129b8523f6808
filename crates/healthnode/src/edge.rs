//! Statuses for the health node's errors, in one place: every route answers through these.

use axum::http::StatusCode;
use myna_node::ApiError;
use myna_pki::{PkiError, login::LoginError};

use crate::{
    checklog::CheckLogError,
    error::{HealthError, Refusal},
};

impl From<HealthError> for ApiError {
    fn from(e: HealthError) -> Self {
        match e {
            HealthError::Store(e) => ApiError::store(e),
            HealthError::Agency(e) => e.into(),
            HealthError::CheckLog(CheckLogError::Store(e)) => ApiError::store(e),
            HealthError::Card(e) => card(e),
            HealthError::Refused { why, code, reason } => ApiError::new(status(why), code, reason),
            e @ (HealthError::Setup(_)
            | HealthError::Tls(_)
            | HealthError::Internal(_)
            | HealthError::CheckLog(CheckLogError::Stopped)) => ApiError::internal(e),
        }
    }
}

fn status(why: Refusal) -> StatusCode {
    match why {
        Refusal::BadRequest => StatusCode::BAD_REQUEST,
        Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::Forbidden => StatusCode::FORBIDDEN,
        Refusal::Gone => StatusCode::GONE,
        Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
        Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

fn card(e: LoginError) -> ApiError {
    match &e {
        LoginError::UnknownChallenge => ApiError::conflict(
            "challenge_used",
            "this challenge was already used or never issued here (a replayed signature?): ask the reader for a new one",
        ),
        LoginError::Expired => ApiError::conflict("challenge_expired", "the challenge expired: ask for a new one"),
        LoginError::OtherService(s) => {
            ApiError::unauthorized("other_facility", format!("the challenge was issued for {s}, not this facility"))
        }
        LoginError::Certificate(PkiError::Revoked { .. }) => ApiError::forbidden(
            "card_revoked",
            format!("{e}: the card cannot be used; the patient should see their municipality"),
        ),
        LoginError::Certificate(PkiError::StatusUnknown) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "status_unknown",
            format!("{e}: the revocation list is not available; use the insurance number lookup"),
        ),
        _ => ApiError::unauthorized("card_check_failed", e.to_string()),
    }
}
