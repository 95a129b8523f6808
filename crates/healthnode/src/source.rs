//! The portal's self-information query for `medical_information`, answered from the node's
//! records (the hub forwards it; the answer is sealed to the portal like any other).

use myna_link::InfoItem;
use myna_linkage::agency::{CopyFuture, CopySource};

use crate::store::HealthStore;

pub struct Source(pub HealthStore, pub crate::Facilities);

impl CopySource for Source {
    fn handles(&self, item: InfoItem) -> bool {
        item == InfoItem::MedicalInformation
    }

    fn copy<'a>(&'a self, code: &'a str, _item: InfoItem) -> CopyFuture<'a> {
        Box::pin(async move {
            let v = crate::view::medical_information(&self.0, &self.1, code, myna_node::today_jst())
                .await
                .map_err(|e| e.to_string())?;
            let version: myna_link::Version = "1.0".parse().map_err(|e: myna_link::LayoutError| e.to_string())?;
            Ok(v.map(|v| (version, v.to_string())))
        })
    }
}
