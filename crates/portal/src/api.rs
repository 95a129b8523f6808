//! The portal's machine API, as OpenAPI (`/openapi.json`). Pages are not part of it.

use myna_node::ApiError;
use utoipa::OpenApi;

use crate::PortalError;

impl From<PortalError> for ApiError {
    fn from(e: PortalError) -> Self {
        match e {
            PortalError::Store(e) => ApiError::store(e),
            PortalError::Invalid { field, reason } => ApiError::unprocessable(field, reason),
            e @ PortalError::LoginRefused => ApiError::unauthorized("login_refused", e.to_string()),
            e @ PortalError::LoginLocked { .. } => {
                ApiError::new(axum::http::StatusCode::TOO_MANY_REQUESTS, "login_locked", e.to_string())
            }
            PortalError::Agency(e) => e.into(),
            e @ PortalError::Call(_) => ApiError::bad_gateway("linkage", e.to_string()),
            e @ PortalError::Log(_) => ApiError::bad_gateway("log_untrusted", e.to_string()),
            e @ (PortalError::Setup(_) | PortalError::Tls(_) | PortalError::Internal(_)) => ApiError::internal(e),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna portal (マイナポータル)",
        description = "Login with the card (a holder's tool signs a challenge), the municipal clerks' applications API (ぴったりサービス), the operator's registrations, and the OAuth 2.0 / OpenID Connect self-information API (自己情報取得API): authorization code with PKCE S256, signed ID tokens and signed data. Errors are {\"error\": {\"code\", \"message\"}} (OAuth endpoints: {\"error\", \"error_description\"})."
    ),
    paths(
        crate::login::api_challenge,
        crate::login::api_login,
        crate::clerk::api_login,
        crate::clerk::api_list,
        crate::clerk::api_one,
        crate::clerk::api_status,
        crate::clerk::api_add_clerk,
        crate::oauth::register,
        crate::oauth::token,
        crate::oauth::userinfo,
        crate::oauth::data,
    ),
    components(schemas(
        myna_rp::ChallengeView,
        myna_rp::LoginBody,
        crate::login::PortalSession,
        crate::clerk::ClerkLogin,
        crate::clerk::ClerkToken,
        crate::clerk::ReceivedView,
        crate::clerk::ApplicationView,
        crate::clerk::StatusUpdate,
        crate::clerk::NewClerk,
        crate::oauth::ClientRegistration,
        crate::oauth::ClientCredentials,
        crate::oauth::TokenResponse,
    ))
)]
struct Doc;

pub fn openapi_json() -> String {
    crate::access::TABLE.document(&Doc::openapi().to_json().unwrap_or_default())
}
