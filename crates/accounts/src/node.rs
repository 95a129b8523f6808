//! The registry's node: an agency node of kind `account_registry` whose answers for
//! 公金受取口座情報 come from the registry's own table (not from copies), so a change of account
//! is what the next benefit sees.

use std::{net::SocketAddr, sync::Arc};

use myna_link::InfoItem;
use myna_linkage::agency::{self, AgencyConfig, CopyFuture, CopySource};
use myna_node::NodeIdentity;
use myna_store::Db;
use myna_zengin::Codes;
use serde_json::json;

use crate::{Registry, Status};

pub struct Started {
    pub agency: agency::Started,
    pub registry: Arc<Registry>,
}

struct Source(Arc<Registry>);

impl CopySource for Source {
    fn handles(&self, item: InfoItem) -> bool {
        item == InfoItem::PublicFundAccount
    }

    fn copy<'a>(&'a self, code: &'a str, _item: InfoItem) -> CopyFuture<'a> {
        Box::pin(async move {
            let Some((a, status)) = self.0.account(code).await.map_err(|e| e.to_string())? else { return Ok(None) };
            let codes = Codes::embedded();
            let v = json!({
                "bank": a.bank, "bank_name": codes.bank(&a.bank).map(|b| b.name).unwrap_or_default(),
                "branch": a.branch, "branch_name": codes.branch(&a.bank, &a.branch).map(|b| b.name).unwrap_or_default(),
                "kind": a.kind.name_ja(), "number": a.number, "holder": a.holder, "payable": status == Status::Active,
            });
            let version: myna_link::Version = "1.0".parse().map_err(|e: myna_link::LayoutError| e.to_string())?;
            Ok(Some((version, v.to_string())))
        })
    }
}

/// Starts the registry's node on `addr` (its tables and the agency's in `db`).
pub async fn start(db: Db, identity: &NodeIdentity, addr: SocketAddr, config: AgencyConfig) -> Result<Started, String> {
    let registry = Arc::new(Registry::open(db.clone()).await.map_err(|e| e.to_string())?);
    let r = registry.clone();
    let routes =
        move |a: Arc<agency::Agency>| crate::inbox::routes(r.clone(), a.clone()).merge(crate::bank::routes(r, a));
    let agency = agency::start_documented(db, identity, addr, config, routes, Some(crate::bank::openapi_json()))
        .await
        .map_err(|e| e.to_string())?;
    agency.agency.set_source(Arc::new(Source(registry.clone())));
    Ok(Started { agency, registry })
}
