use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// An error answer: `{"error": {"code": "...", "message": "..."}}` with a status.
/// `code` is stable for programs; `message` says what to fix, for people.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// Another node, which this one called for the request, failed or answered wrongly.
    pub fn bad_gateway(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, code, message)
    }

    /// A failure of ours, not the caller's: logged in full, answered briefly.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the node failed to complete the request; it was not applied",
        )
    }
}

impl ApiError {
    /// A store error: a storage condition (full, read-only, failing, unreachable) is answered
    /// 503 with what it means for the write; anything else is [`ApiError::internal`].
    pub fn store(e: myna_store::StoreError) -> Self {
        match e.storage() {
            Some(c) => Self::storage(c),
            None => Self::internal(e),
        }
    }

    pub fn storage(c: myna_store::StorageCondition) -> Self {
        use myna_store::StorageCondition as S;
        let code = match c {
            S::Full => "storage_full",
            S::ReadOnly => "storage_read_only",
            S::Failing => "storage_failing",
            S::Unreachable => "storage_unreachable",
        };
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, c.explain())
    }
}

/// `?` on a store call: see [`ApiError::store`].
impl From<myna_store::StoreError> for ApiError {
    fn from(e: myna_store::StoreError) -> Self {
        Self::store(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(Body { error: Inner { code: self.code, message: &self.message } })).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use myna_store::StorageCondition;

    #[test]
    fn a_storage_condition_is_503_with_its_own_code_and_an_internal_error_says_nothing_inside() {
        let codes: Vec<&str> = [
            StorageCondition::Full,
            StorageCondition::ReadOnly,
            StorageCondition::Failing,
            StorageCondition::Unreachable,
        ]
        .into_iter()
        .map(|c| {
            let e = ApiError::storage(c);
            assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
            e.code
        })
        .collect();
        assert_eq!(codes, ["storage_full", "storage_read_only", "storage_failing", "storage_unreachable"]);
        let e = ApiError::internal("password=hunter2 in /var/lib/x");
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }
}
