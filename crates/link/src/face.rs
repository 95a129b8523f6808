//! 券面事項入力補助: what the card's face-data application holds — the individual number and
//! the 4 items as J-LIS wrote them when it issued the card — signed by J-LIS so that an intake
//! reading it from the card knows the number was not typed and not altered (seed 001: the
//! number "read digitally from the card instead of typed" as a remedy for wrong links).
//!
//! The card keeps the signed text behind its 4-digit PIN (`myna_pki::softcard`); an agency
//! opens it with the network trust it already has for messages ([`crate::NetworkTrust`]) and
//! accepts only J-LIS's signature.

use serde::{Deserialize, Serialize};

use crate::{LinkItems, NetworkTrust, SignError};

/// The network id of J-LIS, the only signer of card faces.
pub const FACE_SIGNER: &str = "jlis";

/// The face data of a card: its number and the holder's number and 4 items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardFace {
    /// The card's own number (12 digits), not the individual number.
    pub card: String,
    /// The holder's individual number and 4 items (sex always present on a card).
    pub items: LinkItems,
    /// When J-LIS wrote it (unix seconds): at issuance, and again when the face changes.
    pub written_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("the card's face data does not verify: {0}")]
    Signature(#[from] SignError),
    #[error("the card's face data was signed by {0}, not by J-LIS")]
    NotJlis(String),
}

impl CardFace {
    /// Checks J-LIS's signature on the face data read from a card (`now` in unix seconds).
    pub fn open(trust: &NetworkTrust, signed: &str, now: i64) -> Result<CardFace, FaceError> {
        let s = trust.open::<CardFace>(signed, now)?;
        if s.signer.as_str() != FACE_SIGNER {
            return Err(FaceError::NotJlis(s.signer.to_string()));
        }
        Ok(s.body)
    }
}
