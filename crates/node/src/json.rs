//! A JSON body extractor whose rejections say what was wrong with the body.

use axum::{
    extract::{FromRequest, Request, rejection::JsonRejection},
    http::StatusCode,
};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Like `axum::Json`, but a bad body is answered with an [`ApiError`]: not JSON, not UTF-8,
/// wrong content type, a missing or mistyped field, each with the reason.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(match rej {
                JsonRejection::MissingJsonContentType(_) => ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "content_type",
                    "send the body as JSON with Content-Type: application/json",
                ),
                JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(
                    "malformed_json",
                    format!("the body is not valid JSON (or not UTF-8): {}", source(&e)),
                ),
                JsonRejection::JsonDataError(e) => ApiError::unprocessable("invalid_field", source(&e)),
                JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", e.body_text())
                }
                JsonRejection::BytesRejection(e) => ApiError::bad_request("body", e.body_text()),
                other => ApiError::bad_request("body", other.body_text()),
            }),
        }
    }
}

/// The innermost message of an error chain (serde's own words, with line and column).
fn source(e: &dyn std::error::Error) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
