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
//! Not built yet: the application and the credential through the portal's pages, the
//! example verifier (a hospital's hiring page), a name change or death at J-LIS reaching the
//! registration, and the ISO mdoc form.

pub mod api;
mod core;
mod node;
mod routes;
mod store;

pub use core::{Prepared, QualError, Qualifications};
pub use node::{Started, start};
pub use routes::TABLE;

/// The node's id on the network.
pub const ID: &str = "qualifications";
