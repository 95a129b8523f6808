use utoipa::OpenApi;

use crate::{api::*, handlers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna J-LIS node",
        description = "Resident registry: life events, 4-item lookup, number verification. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(
        handlers::record_event,
        handlers::resident,
        handlers::history,
        handlers::household,
        handlers::lookup,
        handlers::verify
    ),
    components(schemas(
        EventRequest,
        EventRecorded,
        ResidentView,
        AddressParts,
        LookupRequest,
        LookupResponse,
        VerifyRequest,
        VerifyResponse,
        HistoryEntry,
        ErrorBody,
        ErrorDetail
    ))
)]
struct Doc;

/// The node's OpenAPI document.
pub fn openapi_json() -> String {
    Doc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
