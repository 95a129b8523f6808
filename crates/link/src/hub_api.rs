//! What the hub answers outside the exchange protocol: its directory, registration, the log's
//! signed head and proofs, and a resident's records for the portal. The hub serves these and
//! agencies, the portal and auditors read them, so they live here, with their OpenAPI schemas.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AgencyCode, AgencyId, TreeHead};

/// The hub's answer to a registration: the id (the certificate's) and its kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    #[schema(value_type = String)]
    pub id: AgencyId,
    pub kind: String,
}

/// One agency in the hub's directory.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DirectoryEntry {
    #[schema(value_type = String)]
    pub id: AgencyId,
    pub name: String,
    /// The agency's public encryption key (HPKE X25519, hex), to seal to it.
    pub seal_key: String,
}

/// The latest signed tree head, in the clear and as the hub signed it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeadView {
    pub size: u64,
    pub root: String,
    pub at: i64,
    /// The hub's compact JWS over {size, root, at}.
    pub signed: String,
}

/// An inclusion or consistency proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProofView {
    /// Hex SHA-256 hashes, RFC 9162 order.
    pub proof: Vec<String>,
}

/// The portal asks for one resident's records, by its own code for them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonRequest {
    #[schema(value_type = String)]
    pub code: AgencyCode,
    /// The resident's login: the hub lists records only for a resident signed in.
    pub presence: crate::LoginProof,
}

/// One record of a resident's, with its inclusion proof against the head sent with it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordView {
    pub index: u64,
    /// The entry's exact bytes (JSON).
    pub entry: String,
    pub proof: Vec<String>,
}

/// A resident's records, newest first, against one signed head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonRecords {
    #[schema(value_type = Object)]
    pub head: TreeHead,
    /// The hub's JWS over `head`.
    pub head_signed: String,
    pub records: Vec<RecordView>,
}
