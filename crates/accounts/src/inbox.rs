//! A resident's own instruction for their account, from the portal: pushed through the hub
//! (so the registry learns its own code for them, never the portal's), signed with the card.
//! J-LIS checks the signature, names the signer by the registry's code and answers the
//! registered reading of their name; the instruction is carried out only when the signer is
//! the resident the hub named, and the holder's name is theirs.

use std::sync::Arc;

use axum::{Router, extract::State, response::Response, routing::post};
use base64ct::{Base64, Encoding as _};
use myna_link::{AccountAction, AccountInstruction, AgencyKind, Enrolment, PushKind, SignedInstruction};
use myna_linkage::agency::{Agency, HUB_ONLY};
use myna_node::{ApiError, jose, now_secs};
use myna_zengin::AccountKind;

use crate::{Channel, Registry, RegistryError};

/// How old a signed instruction may be when it arrives.
const FRESH_SECS: i64 = 600;

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::Account(e) => ApiError::unprocessable("account", e.to_string()),
            e @ RegistryError::NotTheBank { .. } => ApiError::forbidden("not_the_bank", e.to_string()),
            e @ RegistryError::NotRegistered => ApiError::not_found(e.to_string()),
            RegistryError::Store(e) => ApiError::store(e),
        }
    }
}

pub fn routes(registry: Arc<Registry>, agency: Arc<Agency>) -> Router {
    Router::new()
        .route("/v1/inbox", post(take))
        .route_layer(axum::middleware::from_fn_with_state(HUB_ONLY, myna_node::only_peers))
        .with_state((registry, agency))
}

async fn take(
    State((registry, agency)): State<(Arc<Registry>, Arc<Agency>)>,
    body: String,
) -> Result<Response, ApiError> {
    let (env, plain) = agency.open_push(&body)?;
    let f = &env.body;
    if f.kind != PushKind::AccountRegistration || f.sender.kind().ok() != Some(AgencyKind::Portal) {
        return Err(ApiError::unprocessable(
            "kind",
            "the registry takes residents' account instructions, from the portal",
        ));
    }
    let signed: SignedInstruction =
        serde_json::from_slice(&plain).map_err(|e| ApiError::unprocessable("instruction", e.to_string()))?;
    let bytes = Base64::decode_vec(&signed.message).map_err(|_| ApiError::unprocessable("message", "not base64"))?;
    let i = AccountInstruction::parse(&bytes).map_err(|e| ApiError::unprocessable("message", e))?;
    let now = now_secs();
    if (now - i.at).abs() > FRESH_SECS {
        return Err(ApiError::unprocessable(
            "at",
            "the instruction was signed more than 10 minutes ago: sign it again",
        ));
    }
    let issued = agency.obtain(Enrolment::Signed(signed)).await?;
    let code = f.code.to_string();
    if issued.code.to_string() != code {
        return Err(ApiError::forbidden("not_the_signer", "the card that signed is not the resident the portal names"));
    }
    match i.action {
        AccountAction::Register => {
            let reading = issued.reading.ok_or_else(|| ApiError::bad_gateway("no_reading", "J-LIS gave no reading"))?;
            let kind = i
                .kind
                .chars()
                .next()
                .and_then(AccountKind::from_digit)
                .ok_or_else(|| ApiError::unprocessable("kind", "1 (普通), 2 (当座) or 4 (貯蓄)"))?;
            let request = (i.bank.as_str(), i.branch.as_str(), kind, i.number.as_str(), i.holder.as_str());
            registry.register(&code, request, &reading, &Channel::Portal, now).await?;
        }
        AccountAction::Remove => registry.remove(&code, &Channel::Portal, now).await?,
    }
    Ok(jose(agency.acknowledge(&env)?))
}
