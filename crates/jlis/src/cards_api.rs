//! Wire types of the card and JPKI endpoints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 交付申請: a resident applies for a card.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ApplyRequest {
    /// 住民票コード of the applicant (11 digits).
    pub resident: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CardView {
    /// Card number (12 digits).
    pub card: String,
    pub resident: String,
    /// applied, issued, suspended or ended.
    pub status: String,
    pub applied_at: i64,
    pub status_at: i64,
    /// Who last changed the status: a municipality's id, `jlis_hotline:<operator account>`,
    /// or `holder`.
    pub status_by: Option<String>,
    /// Last day of the card (YYYY-MM-DD), once issued.
    pub expires: Option<String>,
    pub certificates: Vec<CertView>,
    /// 券面事項入力補助: on issuance and on a new signing certificate (a move, a new name),
    /// the number and the 4 items signed by J-LIS (a compact JWS
    /// of `myna_link::face::CardFace`), for the card to keep behind its 4-digit PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CertView {
    /// Serial number, hexadecimal.
    pub serial: String,
    /// sign or auth.
    pub kind: String,
    pub not_after: i64,
    /// good, or the revocation reason (suspended, holder-changed, superseded, card-ended, holder-request).
    pub status: String,
    /// PEM.
    pub pem: String,
}

/// Issuance at the municipality: the card's token made its keys and sends one PKCS#10 request
/// per key, and the reset key J-LIS keeps for a lock reset.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct IssueRequestBody {
    /// PEM PKCS#10 request for the signing key.
    pub signing_csr: String,
    /// PEM PKCS#10 request for the user-authentication key.
    pub user_auth_csr: String,
    /// 64 hex characters.
    pub reset_key: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ReissueRequest {
    /// PEM PKCS#10 request for the signing key (a new signing certificate after a move or a
    /// name change, on the same card).
    pub signing_csr: String,
}

/// The municipality checked the holder's identity and asks for the card's reset key.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResetKeyRequest {
    /// The clerk who checked.
    pub clerk: String,
    /// What identity document was checked (e.g. 運転免許証).
    pub document: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResetKeyResponse {
    pub card: String,
    /// 64 hex characters.
    pub reset_key: String,
}

/// The CA certificates a verifier trusts.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AuthorityView {
    pub root: String,
    pub signing: String,
    pub user_auth: String,
}

/// Check a signature made with a card.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SignatureCheckRequest {
    /// The signer's certificate, PEM or base64 DER.
    pub certificate: String,
    /// The signed bytes, base64.
    pub message: String,
    /// The signature, base64.
    pub signature: String,
    /// What the signature is for: "sign" (a document) or "auth" (a login).
    pub purpose: String,
    /// A user-authentication certificate's serial (hex): also say whether the signing
    /// certificate is on the same card, so a service can tell the signer is the resident who
    /// logged in with it.
    #[serde(default)]
    pub same_card_as: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SignatureCheckResponse {
    pub valid: bool,
    /// Why not, when not valid.
    pub reason: Option<String>,
    pub serial: Option<String>,
    pub kind: Option<String>,
    /// good, the revocation reason (suspended, holder-changed, superseded, card-ended,
    /// holder-request), or unknown.
    pub status: Option<String>,
    /// The basic 4 items in a signing certificate, as issued.
    pub holder: Option<HolderView>,
    /// Whether the certificate is on the same card as `same_card_as` (when asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_card: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema, Clone)]
pub struct HolderView {
    pub name: String,
    pub birth: String,
    pub sex: String,
    pub address: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct VerifierRequest {
    /// Short id, letters, digits and hyphens.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct VerifierRegistered {
    pub id: String,
    /// Send as `Authorization: Bearer <id>.<token>`; shown once.
    pub token: String,
}

/// The holder's consent (or its withdrawal) for a verifier to receive their latest 4 items,
/// signed with the signing certificate over `myna-consent/1:<grant|withdraw>:<verifier>`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ConsentRequest {
    pub verifier: String,
    pub grant: bool,
    /// The holder's signing certificate, PEM or base64 DER.
    pub certificate: String,
    /// base64 signature over the consent text.
    pub signature: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct LatestView {
    /// The certificate asked about, hexadecimal.
    pub serial: String,
    /// That certificate's status now.
    pub status: String,
    /// The holder's current 4 items from the registry (after any move or name change).
    pub holder: HolderView,
}

/// The holder suspends their own card (一時停止), with the card: the user-authentication key
/// signs `myna-suspend/1:<card number>:<unix time>` (within five minutes of J-LIS's clock).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct HolderSuspend {
    /// The signed text.
    pub statement: String,
    /// The card's user-authentication certificate, base64 DER.
    pub certificate: String,
    /// base64 RSASSA-PKCS1-v1_5 SHA-256 signature over the statement.
    pub signature: String,
}
