//! An agency's query as its clerks' systems send it to their own node, and what comes back:
//! the portal and the health node ask through their agency nodes with the same types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AgencyId, InfoItem, Outcome, TaskId, Version};

/// A query about a person the agency enrolled (`POST /v1/queries` on the agency's node).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct QueryRequest {
    /// The agency's own reference for the person.
    pub person: String,
    #[schema(value_type = String)]
    pub task: TaskId,
    #[schema(value_type = String)]
    pub item: InfoItem,
    #[schema(value_type = String)]
    pub provider: AgencyId,
    /// The case this is for (file or receipt number).
    pub purpose: String,
    /// The layout version to read (default: the newest).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub version: Option<Version>,
}

/// The answer, opened and checked, with the hub's record of the exchange.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct QueryResult {
    /// delivered or not_held.
    #[schema(value_type = String)]
    pub outcome: Outcome,
    /// The hub's log index of this exchange.
    pub record: u64,
    /// The log entry's exact bytes.
    pub entry: String,
    #[schema(value_type = String)]
    pub provider: AgencyId,
    /// The layout version the provider answered in.
    #[schema(value_type = Option<String>)]
    pub version: Option<Version>,
    /// The item, opened and checked against its layout.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}
