//! The resident's presence behind the portal's self-information (issue 15): the portal
//! forwards what the card signed at login with every self-information query and every read
//! of the resident's records; the hub has J-LIS (which issued the certificate and keeps its
//! revocation) say whose login it is, and answers only when it is the queried person's, from
//! this portal, and still within the session's lifetime. Checks are cached until the proof
//! lapses, so a session costs J-LIS one check.

use std::collections::HashMap;

use myna_link::{AgencyId, LinkId, LoginProof, Presence, PresenceCheck};

use super::Hub;
use crate::wire::{CallError, now_secs};

/// Proofs checked, by [`LoginProof::key`].
#[derive(Default)]
pub struct Checked(HashMap<String, Presence>);

/// Checks remembered at most; expired ones are dropped first.
const REMEMBERED: usize = 200_000;

impl Hub {
    /// `Ok` if `proof` shows the person `link` signed in to the portal `requester`, else the
    /// reason (recorded as the refusal the resident sees in their history).
    pub(super) async fn check_presence(
        &self,
        requester: &AgencyId,
        proof: Option<&LoginProof>,
        link: LinkId,
    ) -> Result<(), String> {
        let proof = proof.ok_or("the resident is not signed in: the portal sends the card's login proof")?;
        let now = now_secs();
        let key = proof.key();
        let cached = self.presence.lock().ok().and_then(|c| c.0.get(&key).cloned());
        let presence = match cached {
            Some(p) => p,
            None => {
                let p = self.ask_jlis(proof).await?;
                if let Ok(mut c) = self.presence.lock() {
                    if c.0.len() >= REMEMBERED {
                        c.0.retain(|_, p| p.until >= now);
                    }
                    c.0.insert(key, p.clone());
                }
                p
            }
        };
        if now > presence.until {
            return Err("the resident's login is over: they sign in again".into());
        }
        if presence.link != link.0 {
            return Err("the login proof is another resident's".into());
        }
        match self.agency(requester).and_then(|a| a.login_service) {
            Some(s) if s == presence.service => Ok(()),
            Some(_) => Err("the resident signed in to another portal".into()),
            None => Err(format!("{requester} registered no login service, so no login proof can be its own")),
        }
    }

    async fn ask_jlis(&self, proof: &LoginProof) -> Result<Presence, String> {
        let url = self.jlis.get().ok_or("the hub is not connected to J-LIS, so no login can be checked")?;
        let body = PresenceCheck { proof: proof.clone() };
        match myna_node::post_json(&self.client, &format!("{url}/v1/presence"), &body).await {
            Ok(p) => Ok(p),
            Err(CallError::Refused { message, .. }) => Err(format!("J-LIS: {message}")),
            Err(e @ CallError::Unreachable(..)) => Err(e.to_string()),
        }
    }
}
