//! The public-fund receipt account registry (公金受取口座登録システム), run by the Digital
//! Agency: one account per person for public funds (公的給付の支給等の迅速かつ確実な実施のための
//! 預貯金口座の登録等に関する法律). A person is known by the registry's own agency code, as every
//! agency on the linkage network knows them. This crate is the role's core, tables and node.
//!
//! - `core.rs`: registering, changing and removing an account, with the checks the 2023
//!   inspection asks for at the source: the bank and branch in the Zengin list, the holder's
//!   name the registry's reading of the person's, and an account already registered to another
//!   person held for review instead of found years later.
//! - `store.rs`: the current accounts and their history.
//! - `node.rs`: the registry's node on the linkage network (an agency node of kind
//!   `account_registry`), answering permitted queries for 公金受取口座情報 from its table.
//! - `bank.rs`: a bank's counter registering its customer's account (consent on record there).
//! - `inbox.rs`: a resident's instruction from the portal, signed with the card, checked by
//!   J-LIS (the signer named by the registry's code, and the reading of their name).

mod bank;
mod core;
mod inbox;
mod node;
mod store;

pub use core::{Channel, Registered, Registry, RegistryError, Request, Status};
pub use node::{Started, start};
pub use store::{AccountRow, SCHEMA};
