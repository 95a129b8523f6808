//! The banks' counter (金融機関窓口での登録): a bank registers the account a customer holds
//! with it as their public-fund account, with the customer's consent on record at the bank.
//! The bank's system calls with its network certificate (`bank:<code>`), and names the
//! customer by the individual number the customer gave at the counter; the registry obtains
//! its own code for them from J-LIS (the number goes no further), with the registered reading
//! the holder's name must match. A bank registers only accounts at itself.

use std::sync::Arc;

use axum::{Extension, Json, Router, extract::State, routing::post};
use myna_link::Enrolment;
use myna_linkage::agency::Agency;
use myna_node::{
    ApiError, ApiJson, Peer,
    access::{Access, Peers, Table, rule},
    now_secs,
};
use myna_zengin::AccountKind;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::{Channel, Registry, Status};

const BANKS: Peers = Peers {
    who: "a bank (its certificate names it bank:<4-digit bank code>)",
    may: |id| id.as_str().strip_prefix("bank:").is_some_and(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit())),
    example: "bank:0005",
    not: "municipality:131016",
};

pub const TABLE: Table = Table {
    node: "the account registry's bank counter",
    rules: &[rule("POST", "/v1/bank/registrations", Access::Peers(BANKS))],
};

/// A customer's account, registered at the bank's counter.
#[derive(Deserialize, ToSchema)]
pub struct BankRegistration {
    /// The customer's individual number (12 digits), as they gave it at the counter.
    pub number: String,
    /// The customer's name, date of birth (`YYYY-MM-DD`), sex (if the bank holds it) and
    /// address as the bank holds them (its customer due diligence): J-LIS links the number
    /// only if they are its resident's.
    pub name: String,
    pub birth: String,
    #[serde(default)]
    pub sex: Option<String>,
    pub address: String,
    /// The branch (3 digits) at this bank.
    pub branch: String,
    /// 1 普通, 2 当座, 4 貯蓄.
    pub kind: String,
    pub account: String,
    /// The holder's name in katakana.
    pub holder: String,
    /// The bank's record of the customer's consent (its form's number).
    pub consent: String,
}

#[derive(Serialize, ToSchema)]
pub struct BankRegistered {
    /// active, or held (the same account is registered to another person as well).
    pub status: String,
}

/// Registers a customer's account at this bank as their public-fund account.
#[utoipa::path(post, path = "/v1/bank/registrations", request_body = BankRegistration,
    responses((status = 200, body = BankRegistered), (status = 400, description = "not JSON"), (status = 403, description = "not the account's bank"),
        (status = 404, description = "J-LIS holds no resident with this number"), (status = 415, description = "not sent as application/json"),
        (status = 422, description = "no such branch, a bad number, items that are not the number's resident's, or the holder is not the customer; the reason says which"), (status = 502, description = "J-LIS or the hub failed")))]
async fn register(
    State((registry, agency)): State<(Arc<Registry>, Arc<Agency>)>,
    Extension(peer): Extension<Option<Peer>>,
    ApiJson(r): ApiJson<BankRegistration>,
) -> Result<Json<BankRegistered>, ApiError> {
    let bank = peer.and_then(|p| p.0.as_str().strip_prefix("bank:").map(str::to_string)).unwrap_or_default();
    let consent = r.consent.trim();
    if consent.is_empty() || consent.len() > 64 {
        return Err(ApiError::unprocessable(
            "consent",
            "the bank's record of the customer's consent (1–64 characters)",
        ));
    }
    let kind = r
        .kind
        .chars()
        .next()
        .and_then(AccountKind::from_digit)
        .ok_or_else(|| ApiError::unprocessable("kind", "1 (普通), 2 (当座) or 4 (貯蓄)"))?;
    let items = myna_link::LinkItems {
        number: r.number.clone(),
        name: r.name.clone(),
        birth: r.birth.clone(),
        sex: r.sex.clone(),
        address: r.address.clone(),
    };
    let issued = agency.obtain(Enrolment::Items(items)).await?;
    let reading = issued.reading.ok_or_else(|| ApiError::bad_gateway("no_reading", "J-LIS gave no reading"))?;
    let channel = Channel::Bank { bank: bank.clone(), consent: consent.to_string() };
    let request = (bank.as_str(), r.branch.as_str(), kind, r.account.as_str(), r.holder.as_str());
    let done = registry.register(&issued.code.to_string(), request, &reading, &channel, now_secs()).await?;
    let status = if done.status == Status::Active { "active" } else { "held" };
    Ok(Json(BankRegistered { status: status.into() }))
}

#[derive(OpenApi)]
#[openapi(paths(register), components(schemas(BankRegistration, BankRegistered)))]
struct Doc;

pub fn openapi_json() -> String {
    TABLE.document(&Doc::openapi().to_json().unwrap_or_default())
}

pub fn routes(registry: Arc<Registry>, agency: Arc<Agency>) -> Router {
    Router::new()
        .route("/v1/bank/registrations", post(register))
        .route_layer(axum::middleware::from_fn_with_state(TABLE, myna_node::access::authorize))
        .with_state((registry, agency))
}
