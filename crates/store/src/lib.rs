//! A node's database: SQLite (WAL, a file per node) by default or PostgreSQL by URL, one
//! portable dialect, writes that are durable before they are acknowledged (`write.rs`), and
//! the migration runner. Each node role owns its tables (a [`Schema`]) and its store module in
//! its own crate; this crate knows none of them. Every database holds [`CORE`]: `meta` (a
//! node's keys and settings) and `counters`.

mod batch;
mod db;
mod error;
mod group;
mod migrate;
mod read;
mod write;

pub use batch::{Batch, Param};
pub use db::{Backend, Db};
pub use error::StoreError;
pub use group::{GroupCommit, GroupError, next_group};
pub use migrate::{CORE, Migration, Schema};
pub use read::{Column, Row, Val};
pub use write::{StorageCondition, StorageReport, WriteQuery, WriteTx};
