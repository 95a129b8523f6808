use utoipa::OpenApi;

use crate::{api::*, cards, cards_api::*, handlers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "myna J-LIS node",
        description = "Resident registry: life events, 4-item lookup, number verification. JPKI: card application and issuance, suspension, CRL, OCSP, signature checks, verifiers' access to the latest 4 items with consent. Errors are {\"error\": {\"code\", \"message\"}}."
    ),
    paths(
        crate::kiosk_routes::register,
        crate::kiosk_routes::session,
        crate::kiosk_routes::order,
        handlers::record_event,
        handlers::resident,
        handlers::history,
        handlers::household,
        handlers::move_out,
        handlers::incoming_moves,
        handlers::move_in,
        handlers::move_within,
        handlers::lookup,
        handlers::verify,
        handlers::inspect,
        handlers::presence,
        handlers::access_log,
        cards::authority,
        cards::apply,
        cards::card,
        cards::issue,
        cards::suspend,
        cards::holder_suspend,
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
        crate::handlers::codes,
        crate::handlers::codes_batch,
        myna_rp::staff::staff_challenge,
        myna_rp::staff::staff_login
    ),
    components(schemas(
        crate::kiosk::IssuerRegistration,
        crate::kiosk::KioskSession,
        crate::kiosk::KioskOrder,
        myna_link::LoginProof,
        myna_link::PresenceCheck,
        myna_link::AccessLogRequest,
        myna_link::AccessLogAnswer,
        myna_link::AccessRecord,
        myna_link::TreeHead,
        myna_link::Presence,
        crate::store::Access,
        EventRequest,
        EventRecorded,
        myna_link::SignedInstruction,
        crate::MoveOutRecorded,
        crate::MoveNotice,
        crate::MoveInRequest,
        crate::InspectionRequest,
        crate::InspectionLine,
        crate::InspectionResult,
        ResidentView,
        AddressParts,
        LookupRequest,
        LookupResponse,
        VerifyRequest,
        VerifyResponse,
        HistoryEntry,
        ApplyRequest,
        HolderSuspend,
        myna_rp::ChallengeView,
        myna_rp::LoginBody,
        myna_rp::staff::StaffSession,
        myna_rp::staff::Staff,
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

/// The OpenAPI document, with the authorization table (`access.rs`) written into it.
pub fn openapi_json() -> String {
    match serde_json::to_string(&Doc::openapi()) {
        Ok(doc) => crate::access::TABLE.document(&doc),
        Err(e) => format!("{{\"error\": \"{e}\"}}"),
    }
}
