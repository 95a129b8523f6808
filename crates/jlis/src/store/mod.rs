//! J-LIS's tables and how records move in and out of them: the registry (`registry/`:
//! durable, idempotent event writes; lookup; bulk load with indexes built at the end; history
//! read back from events) and JPKI (`jpki.rs`: cards, certificates with revocation, verifiers,
//! consents). The schemas are in `schema.rs`.

mod access;
mod error;
mod issuances;
mod jpki;
mod registry;
mod rows;
mod schema;

pub use access::{ACCESS, Access, AccessLog};
pub use error::RegistryError;
pub use issuances::{ISSUANCES, IssuanceLog, IssuanceLogError};
pub use jpki::{CardError, CardRow, CardStatus, CertRow, JpkiStore, NewCert};
pub use myna_registry::NewResident;
pub use registry::{EventRecord, Recorded, RegistryStore};
pub use schema::{JPKI, REGISTRY};
