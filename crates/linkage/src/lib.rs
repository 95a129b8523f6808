//! The linkage network's nodes: the hub (`myna node hub`, 情報提供ネットワークシステム) and an
//! agency's node (`myna node agency`, its 中間サーバー). Thin: the rules, messages, signatures,
//! sealing, the Merkle tree and its tiles are `myna-link`'s; storage is `myna-store`'s; [`tile_client`]
//! reads the hub's log as tiles, as any tile client would.

pub mod agency;
mod edge;
pub mod hub;
pub mod tile_client;
mod wire;

pub use wire::{now_ms, now_secs};
