//! The two certificate kinds on a card, and what differs between them.

use std::fmt;

use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};

use crate::oid;

/// Which of the card's two certificates (and keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum CertKind {
    /// 署名用電子証明書: signs documents; carries the basic 4 items; 6–16 character password.
    Signing,
    /// 利用者証明用電子証明書: proves "the same card holder" for logins; carries nothing about the
    /// person; 4-digit PIN.
    UserAuth,
}

impl CertKind {
    pub const ALL: [CertKind; 2] = [CertKind::Signing, CertKind::UserAuth];

    /// The certificate policy OID that marks this kind.
    pub fn policy(self) -> ObjectIdentifier {
        match self {
            CertKind::Signing => oid::POLICY_SIGNING,
            CertKind::UserAuth => oid::POLICY_USER_AUTH,
        }
    }

    pub fn from_policy(policy: &ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|k| &k.policy() == policy)
    }

    /// Tries before the secret locks (REFERENCE §3).
    pub fn max_tries(self) -> u8 {
        match self {
            CertKind::Signing => 5,
            CertKind::UserAuth => 3,
        }
    }

    /// Organizational unit of the issuing CA for this kind.
    pub fn issuer_unit(self) -> &'static str {
        match self {
            CertKind::Signing => "JPKI for digital signature",
            CertKind::UserAuth => "JPKI for user authentication",
        }
    }

    /// Short name used in URLs and files (`sign`, `auth`).
    pub fn slug(self) -> &'static str {
        match self {
            CertKind::Signing => "sign",
            CertKind::UserAuth => "auth",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// What the secret is called, for messages.
    pub fn secret_name(self) -> &'static str {
        match self {
            CertKind::Signing => "signing password",
            CertKind::UserAuth => "user-authentication PIN",
        }
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertKind::Signing => "signing (署名用)",
            CertKind::UserAuth => "user-authentication (利用者証明用)",
        })
    }
}
