//! The linkage network's nodes: the hub (`myna node hub`, 情報提供ネットワークシステム) and an
//! agency's node (`myna node agency`, its 中間サーバー). Thin: the rules, messages, signatures,
//! sealing and the Merkle tree are `myna-link`'s; storage is `myna-store`'s.

pub mod agency;
mod edge;
pub mod hub;
mod wire;

pub use wire::{now_ms, now_secs};
