//! Storage for the registry: one database per node, SQLite (WAL, file per node) by default
//! or PostgreSQL by URL, with the same schema and migrations. Thin: the rules live in
//! `myna-registry`; this crate moves records in and out and keeps writes durable and
//! idempotent.

mod db;
mod error;
mod health;
mod jpki;
mod link;
mod migrate;
mod portal;
mod registry;
mod rows;
mod write;

pub use db::{Backend, Db};
pub use error::StoreError;
pub use health::{CheckRow, EligibilityRow, FacilityRow, HealthStore, RecordRow};
pub use jpki::{CardError, CardRow, CardStatus, CertRow, JpkiStore, NewCert};
pub use link::{AgencyRow, AgencyStore, ExchangeRow, HubStore, LogRow, NewEntry};
pub use myna_registry::NewResident;
pub use portal::{ApplicationRow, ClientRow, GrantRow, NoticeRow, PortalStore};
pub use registry::{EventRecord, Recorded, RegistryStore};
pub use write::{StorageCondition, StorageReport};
