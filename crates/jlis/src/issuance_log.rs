//! The transparency log of issuances at J-LIS (存在証明; issue 21): municipalities submit each
//! document they issue or withdraw, by its serial, time and digest; anyone reads the log's
//! checkpoint and a serial's entries with their proofs. The issuer is the submitting
//! municipality's certificate, never a field of the request.

use myna_issuance::log::{Event, Leaf, Receipt, Status};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Caller, JlisError, registry::municipality, state::Jlis, store::IssuanceLogError};

/// A municipality's submission: one document issued or withdrawn.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct IssuanceSubmission {
    /// `issued` or `withdrawn`.
    #[schema(value_type = String)]
    pub event: Event,
    /// The document's serial (証明書番号), which begins with the municipality's code.
    pub serial: String,
    /// When it was issued or withdrawn (Unix seconds).
    pub at: i64,
    /// SHA-256 of the document's signed code, 64 hex digits.
    pub digest: String,
}

impl From<IssuanceLogError> for JlisError {
    fn from(e: IssuanceLogError) -> Self {
        match e {
            IssuanceLogError::Store(e) => JlisError::Store(e),
            IssuanceLogError::Stopped => JlisError::internal("the issuance log's writer has stopped"),
            e @ IssuanceLogError::Conflict { .. } => JlisError::conflict("logged_otherwise", e),
        }
    }
}

impl Jlis {
    /// Logs a municipality's issuance or withdrawal; answers its receipt once durable. A
    /// resent submission answers the first one's receipt.
    pub async fn log_issuance(&self, caller: &Caller, s: IssuanceSubmission) -> Result<Receipt, JlisError> {
        let issuer = municipality(caller)?.as_str();
        if !s.serial.starts_with(&format!("{issuer}-")) {
            return Err(JlisError::invalid("serial", format!("a serial of this municipality begins with {issuer}-")));
        }
        if s.digest.len() != 64 || !s.digest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(JlisError::invalid("digest", "the SHA-256 of the document's code as 64 lowercase hex digits"));
        }
        let now = myna_node::now_secs();
        if s.at > now + 300 || s.at < now - 86_400 {
            return Err(JlisError::invalid("at", "within the last day, by J-LIS's clock"));
        }
        let leaf = Leaf { event: s.event, issuer, serial: s.serial, at: s.at, digest: s.digest };
        Ok(self.issuances.append(leaf).await?)
    }

    /// Everything the log holds of an issuer's serial, proved against its latest checkpoint.
    pub async fn issuance_status(&self, issuer: &str, serial: &str) -> Result<Status, JlisError> {
        let (checkpoint, entries) = self.issuances.of_serial(issuer, serial).await?;
        Ok(Status { checkpoint, entries })
    }
}
