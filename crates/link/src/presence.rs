//! A resident's presence, proven: what the card signed at login, forwarded by the portal with
//! every self-information query and every read of the resident's records, so that a portal
//! that is broken into cannot browse residents who are not signed in. J-LIS, which issued the
//! certificate and keeps its revocation status, checks the proof at the hub's request and
//! names the person it proves (by link id, which only J-LIS and the hub know).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long after its challenge expired a login proof still stands: the portal's session
/// lifetime (30 minutes), so a resident signed in is served for the whole session and no
/// longer.
pub const PRESENCE_SECS: i64 = 30 * 60;

/// What the card signed at login (the service's challenge text naming the service and its
/// expiry, the user-authentication certificate, the signature), as the holder's tool sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginProof {
    /// The challenge text, as issued (`myna-login/1:<nonce>:<expiry>:<service>`).
    pub challenge: String,
    /// The user-authentication certificate (DER, base64).
    pub certificate: String,
    /// The signature over the challenge text (base64).
    pub signature: String,
}

impl LoginProof {
    /// A short, stable key for caching a proof's check: SHA-256 over all three parts, so a
    /// proof with any part changed is checked afresh (a signature alone would let a forged
    /// challenge ride on a cached genuine one).
    pub fn key(&self) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        for part in [&self.challenge, &self.certificate, &self.signature] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// One entry of J-LIS's access log (本人確認情報の提供状況), as the resident reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessEntry {
    /// Unix seconds.
    pub at: i64,
    /// The caller's network name (`pension_service`, `municipality:131016`).
    pub caller: String,
    /// lookup, verify, record, history or household.
    pub action: String,
    pub task: String,
    /// The caller's case or file reference.
    pub case_ref: String,
}

/// The portal asks J-LIS for the signed-in resident's access log, with the size of J-LIS's
/// log it checked last (for the proof that the log only grew since).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessLogRequest {
    pub proof: LoginProof,
    #[serde(default)]
    pub since: Option<u64>,
}

/// One of the resident's entries: its exact bytes (an [`AccessEntry`] with J-LIS's pseudonym
/// of the resident as `subject`) and its place in the log's tree, with the inclusion proof
/// against the head (hex hashes, RFC 9162 order).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessRecord {
    pub index: u64,
    pub leaf: String,
    pub proof: Vec<String>,
}

/// J-LIS's answer: the tree head it signed, the resident's entries, newest first, and the
/// consistency proof from the size the portal last checked (empty when none is needed).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessLogAnswer {
    pub head: crate::TreeHead,
    /// The head as J-LIS signed it (compact JWS).
    pub signed: String,
    pub records: Vec<AccessRecord>,
    pub consistency: Vec<String>,
}

/// The hub asks J-LIS whose presence a proof shows (over mutual TLS, as the hub).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PresenceCheck {
    pub proof: LoginProof,
}

/// J-LIS's answer: the person the proof shows signed in, and until when it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Presence {
    /// The person's link id (J-LIS's and the hub's; never told to an agency).
    pub link: u64,
    /// Unix seconds after which the proof no longer stands.
    pub until: i64,
    /// The service whose challenge the card signed (the portal's origin): the hub checks it
    /// is the asking portal's, so a proof taken from one portal serves no other.
    pub service: String,
}
