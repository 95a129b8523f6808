//! What a resident signs to register, change or remove their public-fund account
//! (公金受取口座) through the portal: the instruction as exact bytes, and the signature with
//! the card's signing key over them. The portal forwards it to the account registry, which
//! has J-LIS check the signature and name the signer (by the registry's own code for them).

use serde::{Deserialize, Serialize};

/// The first line of the bytes signed: what they are, so a signature over them is no other.
pub const ACCOUNT_PREFIX: &str = "myna-account/1\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountAction {
    /// Register, or change to, this account.
    Register,
    /// 登録の抹消.
    Remove,
}

/// The account fields as the resident gave them (checked by the registry against the Zengin
/// list and the registered reading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInstruction {
    pub action: AccountAction,
    #[serde(default)]
    pub bank: String,
    #[serde(default)]
    pub branch: String,
    /// 1 普通, 2 当座, 4 貯蓄.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub number: String,
    /// The holder's name in katakana.
    #[serde(default)]
    pub holder: String,
    /// When it was signed (seconds since the epoch): a stale one is refused.
    pub at: i64,
}

impl AccountInstruction {
    /// The exact bytes signed.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = ACCOUNT_PREFIX.as_bytes().to_vec();
        out.extend(serde_json::to_vec(self).unwrap_or_default());
        out
    }

    /// Reads the signed bytes back, refusing anything else.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let rest = bytes
            .strip_prefix(ACCOUNT_PREFIX.as_bytes())
            .ok_or_else(|| format!("the signed bytes do not start with {ACCOUNT_PREFIX:?}"))?;
        serde_json::from_slice(rest).map_err(|e| format!("the signed instruction: {e}"))
    }
}

/// An instruction and its signature, base64 as J-LIS's signature check takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedInstruction {
    /// The signing certificate, base64 DER.
    pub certificate: String,
    /// The [`AccountInstruction::bytes`], base64.
    pub message: String,
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_bytes_read_back_and_nothing_else_does() {
        let i = AccountInstruction {
            action: AccountAction::Register,
            bank: "0001".into(),
            branch: "001".into(),
            kind: "1".into(),
            number: "1234567".into(),
            holder: "ヤマダ タロウ".into(),
            at: 1,
        };
        assert_eq!(AccountInstruction::parse(&i.bytes()).unwrap(), i);
        assert!(AccountInstruction::parse(b"{\"action\":\"remove\",\"at\":1}").unwrap_err().contains("start with"));
        assert!(AccountInstruction::parse(b"myna-account/1\n{").is_err());
    }
}

/// The first line of a deposit request's signed bytes.
pub const DEPOSIT_PREFIX: &str = "myna-deposit/1\n";

/// What a resident asks 預金保険機構, signed with the card (預貯金口座管理法).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
pub enum DepositAsk {
    /// 付番: link my number to my accounts at these banks (4-digit codes).
    Link { banks: Vec<String> },
    /// 所在確認 (a disaster victim's own): which banks hold accounts linked to my number.
    Whereabouts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositRequest {
    #[serde(flatten)]
    pub ask: DepositAsk,
    pub at: i64,
}

impl DepositRequest {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = DEPOSIT_PREFIX.as_bytes().to_vec();
        out.extend(serde_json::to_vec(self).unwrap_or_default());
        out
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let rest = bytes
            .strip_prefix(DEPOSIT_PREFIX.as_bytes())
            .ok_or_else(|| format!("the signed bytes do not start with {DEPOSIT_PREFIX:?}"))?;
        serde_json::from_slice(rest).map_err(|e| format!("the signed request: {e}"))
    }
}
