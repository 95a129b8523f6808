//! The health node's OpenAPI document.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "myna health node (オンライン資格確認等システム, PMH)", description = "Facilities: reception with the card and the patient's consent, consented information, batch and card-field lookups. Operator: facilities and claims. Authorization: Bearer <facility code>:<key>, or the operator token."),
    paths(
        crate::reception::challenge, crate::reception::reception, crate::reception::consented,
        crate::lookup::lookup, crate::lookup::batch,
        crate::operator::add_facility, crate::operator::claims,
    ),
    components(schemas(crate::reception::ChallengeView, crate::reception::ReceptionRequest, crate::reception::ReceptionAnswer, crate::lookup::CardFields, crate::lookup::Batch, crate::operator::FacilityNew, crate::operator::FacilityKey, crate::operator::ClaimsLoaded))
)]
struct Doc;

pub fn json() -> String {
    Doc::openapi().to_json().unwrap_or_default()
}
