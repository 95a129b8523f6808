//! Who may call which J-LIS route, as data, checked in one place at the edge before a body is
//! read (deny by default: a route with no entry is refused). The caller is its network
//! certificate's name (`node::Peer`), never a claim in the body.
//!
//! The table decides the kind of caller; which residents a municipality may act on (those
//! whose register it keeps: `myna_registry::keeps`) and which tasks a lookup may be for
//! (`lookup_task`) are decided by the core with the [`Caller`] the edge hands it.

use myna_link::{AgencyId, AgencyKind, PermissionTable, TaskId};
use myna_node::Peer;
use myna_number::LocalGovCode;

/// The 24×365 hotline's certificate name (個人番号カードコールセンター, run by J-LIS): it may
/// suspend any card when a holder reports it lost.
pub const HOTLINE: &str = "jlis_hotline";

/// Tasks of a municipality's own that use 本人確認情報 without being on the linkage table:
/// keeping the register and issuing the card.
pub const MUNICIPAL_TASKS: &[&str] = &["resident_registry", "individual_number_card"];

/// Who is calling, as the core needs it: named by its network certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A municipality (or a designated city's ward), by its local government code.
    Municipality { id: AgencyId, code: LocalGovCode },
    /// J-LIS's own hotline.
    Hotline(AgencyId),
    /// Any other member of the network.
    Other(AgencyId),
}

impl Caller {
    pub fn of(peer: &Peer) -> Self {
        let id = peer.0.clone();
        if id.as_str() == HOTLINE {
            return Caller::Hotline(id);
        }
        let code = id.as_str().strip_prefix("municipality:").and_then(|c| c.parse::<LocalGovCode>().ok());
        match (id.kind(), code) {
            (Ok(AgencyKind::Municipality), Some(code)) => Caller::Municipality { id, code },
            _ => Caller::Other(id),
        }
    }

    pub fn id(&self) -> &AgencyId {
        match self {
            Caller::Municipality { id, .. } | Caller::Hotline(id) | Caller::Other(id) => id,
        }
    }
}

/// Whether `caller` may look people up (住基ネット照会) for `task`: a task its kind holds on
/// the linkage permission table, or a municipality's own registry and card tasks.
pub fn lookup_task(table: &PermissionTable, caller: &Caller, task: &TaskId) -> bool {
    let Ok(kind) = caller.id().kind() else { return false };
    if kind == AgencyKind::Municipality && MUNICIPAL_TASKS.contains(&task.as_str()) {
        return true;
    }
    table.rows().iter().any(|r| r.requester == kind && &r.task == task)
}

/// Who a route lets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// Anyone: CA certificates, CRLs, signature checks; routes whose own credential is in the
    /// request (a verifier's token, a holder's signature, a node's signed message).
    Anyone,
    /// A municipality (市区町村), by its certificate: the registry and the card counter.
    Municipality,
    /// A municipality, or J-LIS's 24×365 hotline ([`HOTLINE`]): suspending a card.
    MunicipalityOrHotline,
    /// An organization that links numbers (紐付け実施機関): any agency of the network except
    /// the portal and the health node, which know residents only by their cards.
    NumberLinking,
    /// The hub (asking whose login a proof is).
    Hub,
    /// The portal (a signed-in resident's own access log).
    Portal,
}

/// Every route of the J-LIS node (method, path as routed) and who may call it.
pub const TABLE: &[(&str, &str, Allow)] = &[
    ("POST", "/v1/events", Allow::Municipality),
    ("GET", "/v1/residents/{code}", Allow::Municipality),
    ("GET", "/v1/residents/{code}/history", Allow::Municipality),
    ("GET", "/v1/households/{id}", Allow::Municipality),
    ("POST", "/v1/lookup", Allow::NumberLinking),
    ("POST", "/v1/verify", Allow::NumberLinking),
    ("POST", "/v1/linkage/codes", Allow::Anyone),
    ("POST", "/v1/presence", Allow::Hub),
    ("POST", "/v1/access-log", Allow::Portal),
    ("GET", "/v1/jpki/ca", Allow::Anyone),
    ("POST", "/v1/cards/applications", Allow::Municipality),
    ("GET", "/v1/cards/{card}", Allow::Municipality),
    ("POST", "/v1/cards/{card}/issue", Allow::Municipality),
    ("POST", "/v1/cards/{card}/suspend", Allow::MunicipalityOrHotline),
    ("POST", "/v1/cards/{card}/resume", Allow::Municipality),
    ("POST", "/v1/cards/{card}/return", Allow::Municipality),
    ("POST", "/v1/cards/{card}/reset-key", Allow::Municipality),
    ("POST", "/v1/cards/{card}/reissue-signing", Allow::Municipality),
    ("GET", "/crl/{file}", Allow::Anyone),
    ("POST", "/ocsp", Allow::Anyone),
    ("POST", "/v1/jpki/verify", Allow::Anyone),
    ("POST", "/v1/verifiers", Allow::Anyone),
    ("POST", "/v1/consents", Allow::Anyone),
    ("GET", "/v1/verifiers/me/certificates/{serial}/latest", Allow::Anyone),
];

/// Why a caller was refused, for it to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No entry for the route: nobody may call it.
    NotListed,
    /// No network certificate presented.
    Anonymous(Allow),
    /// A certificate of the network, but not of a kind the route lets in.
    Kind { caller: String, allow: Allow },
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotListed => write!(f, "this route is not in J-LIS's authorization table"),
            Refused::Anonymous(a) => write!(f, "present the network certificate of {} (mutual TLS)", who(*a)),
            Refused::Kind { caller, allow } => write!(f, "{caller} may not call this: only {}", who(*allow)),
        }
    }
}

pub(crate) fn who(a: Allow) -> &'static str {
    match a {
        Allow::Anyone => "anyone",
        Allow::Municipality => "a municipality (municipality:<local government code>)",
        Allow::MunicipalityOrHotline => "a municipality or J-LIS's card hotline",
        Allow::Hub => "the linkage hub",
        Allow::Portal => "Myna Portal",
        Allow::NumberLinking => "an organization that links numbers (not the portal or the health node)",
    }
}

/// The entry for a routed path, if any.
pub fn entry(method: &str, path: &str) -> Option<Allow> {
    TABLE.iter().find(|(m, p, _)| *m == method && *p == path).map(|(_, _, a)| *a)
}

/// The methods the table lists for a routed path.
pub fn methods(path: &str) -> Vec<&'static str> {
    TABLE.iter().filter(|(_, p, _)| *p == path).map(|(m, _, _)| *m).collect()
}

/// Whether `peer` may call a route that allows `allow`.
pub fn decide(allow: Option<Allow>, peer: Option<&Peer>) -> Result<(), Refused> {
    let allow = allow.ok_or(Refused::NotListed)?;
    if allow == Allow::Anyone {
        return Ok(());
    }
    let peer = peer.ok_or(Refused::Anonymous(allow))?;
    let kind = peer.0.kind().ok();
    let ok = match (allow, kind) {
        (Allow::Municipality | Allow::MunicipalityOrHotline, Some(AgencyKind::Municipality)) => true,
        (Allow::MunicipalityOrHotline, _) => peer.0.as_str() == HOTLINE,
        (Allow::Hub, _) => peer.0.as_str() == "hub",
        (Allow::Portal, Some(AgencyKind::Portal)) => true,
        (Allow::NumberLinking, Some(k)) => !matches!(k, AgencyKind::Portal | AgencyKind::Health),
        _ => false,
    };
    if ok { Ok(()) } else { Err(Refused::Kind { caller: peer.0.to_string(), allow }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(s: &str) -> Peer {
        Peer(s.parse().unwrap())
    }

    #[test]
    fn the_registry_is_for_municipalities_and_lookups_for_those_who_link_numbers() {
        let events = entry("POST", "/v1/events");
        assert_eq!(decide(events, Some(&peer("municipality:131016"))), Ok(()));
        assert!(matches!(decide(events, None), Err(Refused::Anonymous(_))));
        assert!(matches!(decide(events, Some(&peer("pension_service"))), Err(Refused::Kind { .. })));
        assert!(matches!(decide(events, Some(&peer("portal"))), Err(Refused::Kind { .. })));
        let lookup = entry("POST", "/v1/lookup");
        assert_eq!(decide(lookup, Some(&peer("pension_service"))), Ok(()));
        assert_eq!(decide(lookup, Some(&peer("municipality:131016"))), Ok(()));
        assert!(matches!(decide(lookup, Some(&peer("portal"))), Err(Refused::Kind { .. })));
        assert!(matches!(decide(lookup, Some(&peer("someone"))), Err(Refused::Kind { .. })), "no agency kind");
        assert_eq!(decide(entry("GET", "/crl/{file}"), None), Ok(()));
    }

    #[test]
    fn every_route_of_the_openapi_document_has_an_entry() {
        let doc: serde_json::Value = serde_json::from_str(&crate::openapi_json()).unwrap();
        let mut n = 0;
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                let m = method.to_ascii_uppercase();
                assert!(entry(&m, path).is_some(), "{m} {path} has no entry in the authorization table");
                n += 1;
            }
        }
        assert_eq!(n, TABLE.len(), "the table lists exactly the documented routes");
    }

    #[test]
    fn a_route_not_in_the_table_is_refused_to_everyone() {
        assert_eq!(entry("DELETE", "/v1/events"), None);
        assert_eq!(decide(None, Some(&peer("municipality:131016"))), Err(Refused::NotListed));
    }
}
