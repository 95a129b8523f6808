//! The whole permission decision for one exchange, as a pure function: the table's rows, the
//! resident's own information (自己情報表示) and the items only the resident reads.

use crate::{AgencyKind, InfoItem, Permission, PermissionTable, SELF_ONLY, TaskId, table::is_self_only};

/// The task under which the portal shows a resident their own information (自己情報表示).
pub const SELF_INFORMATION: &str = "self_information";

/// Why an exchange may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant<'a> {
    /// A row of the table permits it.
    Row(&'a Permission),
    /// The portal shows the resident an item the network holds about them.
    SelfInformation,
}

/// Why an exchange is refused, in words the requester can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not on the permission table: {} doing {task} may not ask {} for {} ({})", requester.id(), provider.id(), item.id(), item.name_ja())]
    NotOnTable { requester: AgencyKind, task: TaskId, provider: AgencyKind, item: InfoItem },
    #[error("{} ({}) is shown only to the resident, through the portal (自己情報表示); no agency may ask for it", item.id(), item.name_ja())]
    SelfOnly { item: InfoItem },
    #[error("self_information is the portal's task, for the signed-in resident; {} may not ask under it", requester.id())]
    NotThePortal { requester: AgencyKind },
    #[error("{} keeps no {} ({}) for anyone: nothing to show", provider.id(), item.id(), item.name_ja())]
    NothingHeld { provider: AgencyKind, item: InfoItem },
}

impl PermissionTable {
    /// Whether `requester`, doing `task`, may ask `provider` for `item`, and under what.
    pub fn decide(
        &self,
        requester: AgencyKind,
        task: &TaskId,
        provider: AgencyKind,
        item: InfoItem,
    ) -> Result<Grant<'_>, Refusal> {
        if task.as_str() == SELF_INFORMATION {
            if requester != AgencyKind::Portal {
                return Err(Refusal::NotThePortal { requester });
            }
            return if self.shown_to_resident(provider, item) {
                Ok(Grant::SelfInformation)
            } else {
                Err(Refusal::NothingHeld { provider, item })
            };
        }
        if is_self_only(item) {
            return Err(Refusal::SelfOnly { item });
        }
        self.row(requester, task, provider, item).map(Grant::Row).ok_or_else(|| Refusal::NotOnTable {
            requester,
            task: task.clone(),
            provider,
            item,
        })
    }

    /// Whether the portal shows a resident `item` from an agency of kind `provider`: what some
    /// row lets that kind provide, and the items only the resident reads, from who holds them.
    pub fn shown_to_resident(&self, provider: AgencyKind, item: InfoItem) -> bool {
        SELF_ONLY.contains(&(provider, item)) || self.provides(provider, item)
    }

    /// Whether some row lets an agency of kind `provider` provide `item`.
    pub fn provides(&self, provider: AgencyKind, item: InfoItem) -> bool {
        self.rows().iter().any(|r| r.provider == provider && r.item == item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(r: &str, task: &str, p: &str, item: &str) -> Result<(), Refusal> {
        let t = PermissionTable::shipped().unwrap();
        t.decide(r.parse().unwrap(), &task.parse().unwrap(), p.parse().unwrap(), item.parse().unwrap()).map(|_| ())
    }

    #[test]
    fn a_row_permits_and_names_itself() {
        let t = PermissionTable::shipped().unwrap();
        let g = t.decide(
            AgencyKind::Municipality,
            &"child_allowance".parse().unwrap(),
            AgencyKind::Municipality,
            InfoItem::LocalTax,
        );
        match g {
            Ok(Grant::Row(row)) => assert_eq!(row.task.as_str(), "child_allowance"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_no_row_names_is_refused_with_the_four_parts() {
        let e = decide("pension_service", "child_allowance", "municipality", "local_tax").unwrap_err();
        assert!(matches!(e, Refusal::NotOnTable { .. }));
        let text = e.to_string();
        assert!(
            text.contains("pension_service") && text.contains("child_allowance") && text.contains("local_tax"),
            "{text}"
        );
    }

    #[test]
    fn self_information_is_the_portals_only_and_only_for_what_is_held() {
        assert_eq!(decide("portal", SELF_INFORMATION, "municipality", "local_tax"), Ok(()));
        assert_eq!(decide("portal", SELF_INFORMATION, "health", "medical_information"), Ok(()));
        assert!(matches!(
            decide("municipality", SELF_INFORMATION, "municipality", "local_tax"),
            Err(Refusal::NotThePortal { .. })
        ));
        assert!(matches!(
            decide("portal", SELF_INFORMATION, "municipality", "medical_information"),
            Err(Refusal::NothingHeld { .. })
        ));
        assert!(matches!(
            decide("portal", SELF_INFORMATION, "hello_work", "local_tax"),
            Err(Refusal::NothingHeld { .. })
        ));
    }

    #[test]
    fn self_only_items_are_refused_to_every_agency_task() {
        for &kind in AgencyKind::ALL {
            let e = decide(kind.id(), "child_allowance", "health", "medical_information").unwrap_err();
            assert_eq!(e, Refusal::SelfOnly { item: InfoItem::MedicalInformation });
        }
    }
}
