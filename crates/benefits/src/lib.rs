//! A municipality's benefit system for push-type benefits (プッシュ型給付, seed 000:
//! 「子育て世帯生活支援特別給付金（5万円）…のプッシュ型等によるスピーディな給付」): paid without an
//! application to the households a rule selects, into the accounts their members registered
//! for public funds.
//!
//! - `rule.rs`: a benefit as the clerk defines it (amount per child, person or household;
//!   the conditions; basis, deadline and payment days), refused when it reads an item the
//!   municipality may not, and what a household is paid, to whom. Pure.
//! - `facts.rs`: the municipality's own records (its node's copies) as households. Pure.
//! - `store.rs`: the benefits and their payments, each step written before the next.
//! - `core.rs`: the run: determine, ask each recipient's account through the hub (recorded in
//!   the resident's やりとり履歴), notify through the portal with a way to decline, approve
//!   after the deadline (accounts asked again), the 総合振込 file, returned transfers.
//! - `routes.rs`: the API of the clerks' system and its authorization table; `pages.rs`: the
//!   clerks' pages; `moves.rs` the moving desk's and `links.rs` the suspect number links'
//!   (マイナンバー情報総点検), which the office system serves for the municipality's node.
//!
//! The system runs beside the municipality's agency node and uses it in process (its
//! queries, notices and records); a portal's reply to a notice arrives at that node's inbox.

pub mod certificates;
mod core;
mod counter;
mod error;
mod facts;
mod intake;
mod links;
mod moves;
mod node;
mod pages;
pub mod routes;
pub mod rule;
mod seal_pages;
pub mod seals;
mod store;
mod verify;

pub use core::{Approved, Benefits, Determined, Notified, Returned, status, today_jst};
pub use error::BenefitError;
pub use facts::{Gather, ITEMS};
pub use node::{Started, start};
pub use store::{BenefitRow, BenefitStore, PaymentRow, SCHEMA};
