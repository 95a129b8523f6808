//! Revocation status of a certificate, and why it was revoked, in JPKI's terms.

use std::fmt;

use serde::{Deserialize, Serialize};
use x509_cert::ext::pkix::CrlReason;

/// Why a certificate stopped being good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Reported lost or stolen: suspended (一時停止) until found or reissued.
    Suspended,
    /// The holder's name or address changed (signing certificate only).
    HolderChanged,
    /// Reissued: a new certificate replaces this one.
    Superseded,
    /// The holder died or returned the card.
    CardEnded,
    /// The holder asked for it to be revoked.
    HolderRequest,
}

impl Reason {
    pub fn crl_reason(self) -> CrlReason {
        match self {
            Reason::Suspended => CrlReason::CertificateHold,
            Reason::HolderChanged => CrlReason::AffiliationChanged,
            Reason::Superseded => CrlReason::Superseded,
            Reason::CardEnded => CrlReason::CessationOfOperation,
            Reason::HolderRequest => CrlReason::Unspecified,
        }
    }

    pub fn from_crl_reason(r: CrlReason) -> Self {
        match r {
            CrlReason::CertificateHold => Reason::Suspended,
            CrlReason::AffiliationChanged => Reason::HolderChanged,
            CrlReason::Superseded => Reason::Superseded,
            CrlReason::CessationOfOperation => Reason::CardEnded,
            _ => Reason::HolderRequest,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Reason::Suspended => "suspended",
            Reason::HolderChanged => "holder-changed",
            Reason::Superseded => "superseded",
            Reason::CardEnded => "card-ended",
            Reason::HolderRequest => "holder-request",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        [Reason::Suspended, Reason::HolderChanged, Reason::Superseded, Reason::CardEnded, Reason::HolderRequest]
            .into_iter()
            .find(|r| r.slug() == s)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::Suspended => "card reported lost: suspended (一時停止)",
            Reason::HolderChanged => "name or address changed",
            Reason::Superseded => "replaced by a reissued certificate",
            Reason::CardEnded => "card ended (death or return)",
            Reason::HolderRequest => "revoked at the holder's request",
        })
    }
}

/// What a CRL, an OCSP response or J-LIS's own records say about one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Good,
    Revoked { at: i64, reason: Reason },
    Unknown,
}
