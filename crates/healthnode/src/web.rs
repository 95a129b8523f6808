//! The reception page for a facility's staff (受付画面): sign in with the facility code and
//! key, read a patient's card with the demo reader (PIN or the stand-in face match), record
//! their consent, and see the eligibility and the consented information.

use std::sync::Arc;

use axum::Router;

use crate::Health;

/// A card the demo reader can use.
#[derive(Debug, Clone)]
pub struct DemoCard {
    pub id: String,
    pub holder: String,
    pub auth_tries_left: u8,
}

/// The demo country's cards, for the reception page's reader.
pub trait DemoCards: Send + Sync {
    fn cards(&self) -> Vec<DemoCard>;
    /// Signs `digest` with the card's user-authentication key after `pin`; returns the
    /// signature and the certificate (DER).
    fn sign_auth(&self, card: &str, pin: &str, digest: &[u8; 32]) -> Result<(Vec<u8>, Vec<u8>), String>;
}

#[derive(Default)]
pub struct Sessions;

pub fn routes(_h: Arc<Health>) -> Router {
    Router::new()
}
