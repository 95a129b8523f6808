//! 国家資格等情報連携・活用システム (issue 22): the qualification system, an agency node of
//! kind `qualifications` on the linkage network, run for the keepers of the 32 qualifications.
//!
//! - `api.rs`: its wire types, and what an applicant signs with the card.
//! - `store.rs`: its tables: examination passes, applications, registrations, credentials.
//! - `core.rs`: an examining body records passes; a person applies with the card (J-LIS names
//!   them and gives their 本人確認情報, no 戸籍抄本 or 住民票); the keeper's clerk registers
//!   against the pass; the holder gets an SD-JWT VC of the registration bound to their key; a
//!   registration ended or suspended shows in the published status list.
//! - `routes.rs`: its API and authorization table; `node.rs` starts it.
//!
//! - `sync.rs`: registrations kept current from J-LIS: a death ends one ex officio, a name
//!   change is taken in without an application and the holder told.
//!
//! Not built: the ISO mdoc form of the credential.

pub mod api;
mod core;
mod node;
mod routes;
mod store;
mod sync;

pub use core::{Prepared, QualError, Qualifications};
pub use node::{Started, start};
pub use routes::TABLE;

/// The node's id on the network.
pub const ID: &str = "qualifications";
