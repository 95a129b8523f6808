//! Storage for the registry: one database per node, SQLite (WAL, file per node) by default
//! or PostgreSQL by URL, with the same schema and migrations. Thin: the rules live in
//! `myna-registry`; this crate moves records in and out and keeps writes durable and
//! idempotent.

mod db;
mod error;
mod jpki;
mod link;
mod migrate;
mod health;
mod portal;
mod registry;
mod rows;

pub use db::{Backend, Db};
pub use error::StoreError;
pub use link::{AgencyRow, AgencyStore, ExchangeRow, HubStore, LogRow, NewEntry};
pub use jpki::{CardError, CardRow, CardStatus, CertRow, JpkiStore, NewCert};
pub use myna_registry::NewResident;
pub use health::{CheckRow, EligibilityRow, FacilityRow, HealthStore, RecordRow};
pub use portal::{ApplicationRow, ClientRow, GrantRow, NoticeRow, PortalStore};
pub use registry::{EventRecord, Recorded, RegistryStore};
