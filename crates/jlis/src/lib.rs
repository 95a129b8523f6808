//! The J-LIS node (`myna node jlis`): the resident registry over HTTPS. Clerks record life
//! events, look people up by the basic 4 items, read a record with its history and
//! household, and verify that a number belongs to the person in front of them.

mod api;
mod errors;
mod handlers;
mod openapi;

use std::{net::SocketAddr, sync::Arc};

use myna_node::{Metrics, NodeIdentity, RunningNode, TlsError};
use myna_store::RegistryStore;

pub use api::*;
pub use openapi::openapi_json;

/// Starts the J-LIS node on `addr` with `store`.
pub async fn start(store: RegistryStore, identity: &NodeIdentity, addr: SocketAddr) -> Result<RunningNode, TlsError> {
    let metrics = Metrics::new("jlis");
    let routes = handlers::routes(Arc::new(store));
    myna_node::serve(routes, openapi_json(), metrics, identity, addr).await
}
