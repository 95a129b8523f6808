//! J-LIS's certificate issuance centre (証明書交付センター; issue 21) between stores' kiosks
//! and municipalities' certificate servers. A kiosk sends what the card signed on its reader
//! (a login proof for the kiosk's own challenge); the centre checks it as it checks every
//! login — the signature, and the certificate's status in its own records, so a suspended or
//! ended card is refused — finds the municipality that keeps the holder's register, and opens
//! a session bound to that kiosk, good once for five minutes. The order in that session goes
//! to the municipality's server, which decides (its documents, fees and hours) and makes the
//! document. The centre relays the options unread and keeps no document.

use std::{collections::HashMap, sync::Mutex};

use myna_link::LoginProof;
use myna_node::now_secs as now;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Caller, JlisError, registry::municipality, state::Jlis};

/// How long a kiosk session stands once the card is checked.
pub const SESSION_SECS: i64 = 300;

/// A municipality's certificate server, as it registers itself at start.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct IssuerRegistration {
    /// Its base URL (`https://host:port`), reached with J-LIS's certificate.
    pub url: String,
    /// The public keys its documents are signed with (`{"issuers": [{"kid", "name", "public"}]}`),
    /// which J-LIS publishes with every other municipality's.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub keys: serde_json::Value,
}

/// What a kiosk is told once the card is checked.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct KioskSession {
    /// The session's id: one order, at this kiosk, before `expires`.
    pub session: String,
    /// The municipality that keeps the holder's register (local government code).
    pub municipality: String,
    /// What it offers (documents, fees, hours), as its server answers.
    #[schema(value_type = Object)]
    pub offering: serde_json::Value,
    pub expires: i64,
}

/// A kiosk's order in a session.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct KioskOrder {
    pub session: String,
    /// The document's kind (`resident_copy` …).
    pub kind: String,
    /// The options chosen (household, relationship, number, year), relayed unread.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// What the centre asks a municipality's server to issue.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DocumentOrder {
    /// The resident's 住民票コード.
    pub resident: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// The kiosk it is printed at (its certificate's name).
    pub kiosk: String,
}

struct Session {
    kiosk: String,
    resident: String,
    municipality: String,
    expires: i64,
}

/// The centre's state: the municipalities' servers, the open sessions and the card signatures
/// already used (a proof opens one session only).
#[derive(Default)]
pub struct Centre {
    issuers: Mutex<HashMap<String, String>>,
    /// Each municipality's published document keys, by its code.
    keys: Mutex<HashMap<String, Vec<serde_json::Value>>>,
    sessions: Mutex<HashMap<String, Session>>,
    used: Mutex<HashMap<String, i64>>,
}

fn poisoned() -> JlisError {
    JlisError::internal("the issuance centre's state is poisoned")
}

/// Whether a caller is a store's kiosk (`kiosk:<store>`).
pub fn is_kiosk(caller: &Caller) -> bool {
    caller.id().as_str().starts_with("kiosk:")
}

impl Jlis {
    /// A municipality's certificate server registers where it answers.
    pub fn register_issuer(&self, caller: &Caller, r: &IssuerRegistration) -> Result<(), JlisError> {
        let code = municipality(caller)?;
        if !r.url.starts_with("https://") {
            return Err(JlisError::invalid("url", "an https:// URL"));
        }
        let code = code.as_str();
        // Only keys naming this municipality as their issuer are taken from it.
        let keys: Vec<serde_json::Value> = r.keys["issuers"]
            .as_array()
            .map(|a| a.iter().filter(|k| k["kid"].as_str() == Some(code.as_str())).cloned().collect())
            .unwrap_or_default();
        self.centre.issuers.lock().map_err(|_| poisoned())?.insert(code.clone(), r.url.clone());
        self.centre.keys.lock().map_err(|_| poisoned())?.insert(code, keys);
        Ok(())
    }

    /// Every registered municipality's document keys, as `myna doc verify --keys` reads them.
    pub fn issuer_keys(&self) -> Result<serde_json::Value, JlisError> {
        let keys = self.centre.keys.lock().map_err(|_| poisoned())?;
        let mut all: Vec<&serde_json::Value> = keys.values().flatten().collect();
        all.sort_by(|a, b| a["kid"].as_str().cmp(&b["kid"].as_str()));
        let log = serde_json::json!({ "origin": myna_issuance::log::ORIGIN, "vkey": self.issuances.vkey() });
        Ok(serde_json::json!({ "issuers": all, "log": log }))
    }

    fn client(&self) -> Result<&reqwest::Client, JlisError> {
        Ok(self.linkage.get().ok_or(JlisError::NoHub)?.client())
    }

    /// Checks the card at a kiosk and opens a session for its holder.
    pub async fn open_kiosk_session(&self, caller: &Caller, proof: &LoginProof) -> Result<KioskSession, JlisError> {
        if !is_kiosk(caller) {
            return Err(JlisError::forbidden("not_a_kiosk", "only a store's kiosk opens a session"));
        }
        let (challenge, record) = self.signed_in(proof).await?;
        let at = now();
        if challenge.service != caller.id().as_str() {
            return Err(JlisError::Unauthenticated(format!(
                "the card signed a challenge of {}, not of this kiosk",
                challenge.service
            )));
        }
        if challenge.expires < at {
            return Err(JlisError::Unauthenticated("the card's signature is too old; put the card on again".into()));
        }
        {
            let mut used = self.centre.used.lock().map_err(|_| poisoned())?;
            used.retain(|_, until| *until >= at);
            if used.insert(proof.key(), challenge.expires).is_some() {
                return Err(JlisError::Unauthenticated(
                    "this card signature was already used; put the card on again".into(),
                ));
            }
        }
        let code = myna_registry::ResidentCode::from_value(record)
            .ok_or_else(|| JlisError::internal("a card's resident code is out of range"))?;
        let resident = self
            .registry
            .resident(code)
            .await?
            .ok_or_else(|| JlisError::NotFound("the card's holder has no record".into()))?;
        if !matches!(resident.status, myna_registry::Status::Resident) {
            return Err(JlisError::conflict(
                "not_a_resident",
                "the card's holder is not registered as living in Japan",
            ));
        }
        let keeper = myna_registry::moving::keeper(&resident.address);
        let url = self.centre.issuers.lock().map_err(|_| poisoned())?.get(&keeper).cloned().ok_or_else(|| {
            JlisError::conflict(
                "no_kiosk_service",
                "お住まいの市区町村はコンビニ交付を行っていません / your municipality does not issue documents at stores",
            )
        })?;
        let offering: serde_json::Value = myna_node::get_json(self.client()?, &format!("{url}/v1/documents/offering"))
            .await
            .map_err(|e| JlisError::Upstream(format!("the municipality's certificate server: {e}")))?;
        let mut id = [0u8; 16];
        aws_lc_rs::rand::fill(&mut id).map_err(|_| JlisError::internal("no random source"))?;
        let session = hex::encode(id);
        let expires = at + SESSION_SECS;
        let mut sessions = self.centre.sessions.lock().map_err(|_| poisoned())?;
        sessions.retain(|_, s| s.expires >= at);
        sessions.insert(
            session.clone(),
            Session {
                kiosk: caller.id().to_string(),
                resident: code.to_string(),
                municipality: keeper.clone(),
                expires,
            },
        );
        Ok(KioskSession { session, municipality: keeper, offering, expires })
    }

    /// The order of a session, made by the resident's municipality: the PDF. The session is
    /// spent whatever the answer, so a second order needs the card again.
    pub async fn kiosk_order(&self, caller: &Caller, order: &KioskOrder) -> Result<Vec<u8>, JlisError> {
        let session = self
            .centre
            .sessions
            .lock()
            .map_err(|_| poisoned())?
            .remove(&order.session)
            .filter(|s| s.expires >= now())
            .ok_or_else(|| {
                JlisError::NotFound("no such session, or it was used or expired: put the card on again".into())
            })?;
        if session.kiosk != caller.id().as_str() {
            return Err(JlisError::forbidden("other_kiosk", "this session was opened at another kiosk"));
        }
        let url =
            self.centre.issuers.lock().map_err(|_| poisoned())?.get(&session.municipality).cloned().ok_or_else(
                || JlisError::conflict("no_kiosk_service", "the municipality's certificate server is gone"),
            )?;
        let body = DocumentOrder {
            resident: session.resident,
            kind: order.kind.clone(),
            options: order.options.clone(),
            kiosk: session.kiosk,
        };
        myna_node::post_for_bytes(self.client()?, &format!("{url}/v1/documents"), &body).await.map_err(|e| match e {
            myna_node::CallError::Refused { status: 422 | 404 | 409, message, .. } => {
                JlisError::conflict("refused_by_municipality", message)
            }
            e => JlisError::Upstream(format!("the municipality's certificate server: {e}")),
        })
    }
}
