use utoipa::OpenApi;

use crate::{api::*, cards, cards_api::*, handlers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna J-LIS node",
        description = "Resident registry: life events, 4-item lookup, number verification. JPKI: card application and issuance, suspension, CRL, OCSP, signature checks, verifiers' access to the latest 4 items with consent. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(
        handlers::record_event,
        handlers::resident,
        handlers::history,
        handlers::household,
        handlers::lookup,
        handlers::verify,
        handlers::presence,
        handlers::access_log,
        cards::authority,
        cards::apply,
        cards::card,
        cards::issue,
        cards::suspend,
        cards::resume,
        cards::return_card,
        cards::reset_key,
        cards::reissue_signing,
        cards::crl,
        cards::ocsp,
        cards::verify_signature,
        cards::register_verifier,
        cards::consent,
        cards::latest,
        crate::handlers::codes
    ),
    components(schemas(
        myna_link::LoginProof,
        myna_link::PresenceCheck,
        myna_link::Presence,
        crate::store::Access,
        EventRequest,
        EventRecorded,
        ResidentView,
        AddressParts,
        LookupRequest,
        LookupResponse,
        VerifyRequest,
        VerifyResponse,
        HistoryEntry,
        ApplyRequest,
        CardView,
        CertView,
        IssueRequestBody,
        ReissueRequest,
        ResetKeyRequest,
        ResetKeyResponse,
        AuthorityView,
        SignatureCheckRequest,
        SignatureCheckResponse,
        HolderView,
        VerifierRequest,
        VerifierRegistered,
        ConsentRequest,
        LatestView,
        ErrorBody,
        ErrorDetail
    ))
)]
struct Doc;

/// The node's OpenAPI document.
/// The OpenAPI document, with the authorization table (`access.rs`) written into it: each
/// route that needs a caller's network certificate says so (`security`: mutual TLS) and
/// documents the 401 and 403 it answers without one.
pub fn openapi_json() -> String {
    let mut doc = match serde_json::to_value(Doc::openapi()) {
        Ok(v) => v,
        Err(e) => return format!("{{\"error\": \"{e}\"}}"),
    };
    doc["components"]["securitySchemes"]["networkCertificate"] = serde_json::json!({
        "type": "mutualTLS",
        "description": "A client certificate from the network CA; its common name names the caller (municipality:<local government code>, pension_service, …)."
    });
    for (method, path, allow) in crate::access::TABLE {
        if *allow == crate::access::Allow::Anyone {
            continue;
        }
        let who = crate::access::who(*allow);
        let op = &mut doc["paths"][*path][method.to_ascii_lowercase()];
        if !op.is_object() {
            continue;
        }
        op["security"] = serde_json::json!([{"networkCertificate": []}]);
        op["description"] = serde_json::json!(format!("Only {who}, by its network certificate."));
        op["responses"]["401"] = serde_json::json!({"description": "no network certificate presented"});
        op["responses"]["403"] = serde_json::json!({"description": format!("the certificate is not of {who}")});
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
