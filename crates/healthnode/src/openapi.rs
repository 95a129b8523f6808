//! The health node's OpenAPI document.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

/// Bearer schemes: a facility's `code:key`, or the operator's token.
struct Bearers;

impl Modify for Bearers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "facility",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("<facility code>:<key>")).build(),
            ),
        );
        c.add_security_scheme(
            "operator",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("the operator token")).build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "myna health node (オンライン資格確認等システム, PMH)", description = "Facilities: reception with the card and the patient's consent, consented information, batch and card-field lookups. Operator: facilities and claims. Authorization: Bearer <facility code>:<key>, or the operator token."),
    paths(
        crate::reception::challenge, crate::reception::reception, crate::reception::consented,
        crate::lookup::lookup, crate::lookup::batch,
        crate::operator::add_facility, crate::operator::claims, crate::operator::reminders,
        myna_rp::staff::staff_challenge, myna_rp::staff::staff_login,
    ),
    modifiers(&Bearers),
    components(schemas(crate::reception::ChallengeView, crate::reception::ReceptionRequest, crate::reception::ReceptionAnswer, crate::lookup::CardFields, crate::lookup::Batch, crate::operator::FacilityNew, crate::operator::FacilityKey, crate::operator::ClaimsLoaded, crate::operator::RemindersSent, myna_rp::ChallengeView, myna_rp::LoginBody, myna_rp::staff::StaffSession, myna_rp::staff::Staff))
)]
struct Doc;

pub fn json() -> String {
    crate::access::TABLE.document(&Doc::openapi().to_json().unwrap_or_default())
}
