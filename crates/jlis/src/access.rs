//! Who may call which J-LIS route, as data, checked in one place at the edge before a body is
//! read (deny by default: a route with no entry is refused). The caller is its network
//! certificate's name (`node::Peer`), never a claim in the body.
//!
//! The table decides the kind of caller; which residents a municipality may act on (those
//! whose register it keeps: `myna_registry::keeps`) and which tasks a lookup may be for
//! (`lookup_task`) are decided by the core with the [`Caller`] the edge hands it.

use myna_link::{AgencyId, AgencyKind, PermissionTable, TaskId};
use myna_node::{
    Peer,
    access::{Access, Peers, Table, is_kind, rule},
};
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

fn municipality(id: &AgencyId) -> bool {
    is_kind(id, AgencyKind::Municipality)
}

/// A municipality (市区町村), by its certificate: the registry and the card counter.
pub const MUNICIPALITY: Access = Access::Peers(Peers {
    who: "a municipality (municipality:<local government code>)",
    may: municipality,
    example: "municipality:131016",
    not: "pension_service",
});

/// A municipality, or J-LIS's 24×365 hotline ([`HOTLINE`]): suspending a card.
pub const MUNICIPALITY_OR_HOTLINE: Access = Access::Peers(Peers {
    who: "a municipality or J-LIS's card hotline",
    may: |id| municipality(id) || id.as_str() == HOTLINE,
    example: HOTLINE,
    not: "pension_service",
});

/// An organization that links numbers (紐付け実施機関): any agency of the network except
/// the portal and the health node, which know residents only by their cards.
pub const NUMBER_LINKING: Access = Access::Peers(Peers {
    who: "an organization that links numbers (not the portal or the health node)",
    may: |id| id.kind().is_ok_and(|k| !matches!(k, AgencyKind::Portal | AgencyKind::Health)),
    example: "pension_service",
    not: "portal",
});

/// A store's kiosk (コンビニ交付), by its certificate (`kiosk:<store>`).
pub const KIOSK: Access = Access::Peers(Peers {
    who: "a store's kiosk (kiosk:<store>)",
    may: |id| id.as_str().starts_with("kiosk:"),
    example: "kiosk:store-0001",
    not: "municipality:131016",
});

/// The portal (a signed-in resident's own access log).
pub const PORTAL: Access = Access::Peers(myna_node::access::PORTAL);

const SIGNED_LINKAGE: Access = Access::InRequest("a node's signed linkage request (JWS by its network certificate)");
const PUBLISHED: Access = Access::Public("the JPKI's published certificates and revocation status");
const VERIFIER: Access = Access::InRequest("a registered verifier's token (Authorization: Bearer <id>.<token>)");

/// Every route of the J-LIS node (method, path as routed) and who may call it.
pub const TABLE: Table = Table {
    node: "J-LIS",
    rules: &[
        rule("POST", "/v1/events", MUNICIPALITY),
        rule("GET", "/v1/residents/{code}", MUNICIPALITY),
        rule("GET", "/v1/residents/{code}/history", MUNICIPALITY),
        rule("GET", "/v1/households/{id}", MUNICIPALITY),
        rule("POST", "/v1/moves", MUNICIPALITY),
        rule("GET", "/v1/moves/incoming", MUNICIPALITY),
        rule("POST", "/v1/moves/in", MUNICIPALITY),
        rule("POST", "/v1/moves/within", MUNICIPALITY),
        rule("POST", "/v1/issuers", MUNICIPALITY),
        rule(
            "GET",
            "/v1/issuers/keys",
            Access::Public("the municipalities' public document keys, for anyone verifying a document"),
        ),
        rule("POST", "/v1/issuances", MUNICIPALITY),
        rule("GET", "/v1/issuances/checkpoint", Access::Public("the issuance log's signed checkpoint")),
        rule(
            "GET",
            "/v1/issuances/{issuer}/{serial}",
            Access::Public("a document's entries in the issuance log, with proofs (no personal data)"),
        ),
        rule("POST", "/v1/kiosk/sessions", KIOSK),
        rule("POST", "/v1/kiosk/documents", KIOSK),
        rule("POST", "/v1/lookup", NUMBER_LINKING),
        rule("POST", "/v1/verify", NUMBER_LINKING),
        rule("POST", "/v1/inspection", NUMBER_LINKING),
        rule("POST", "/v1/linkage/codes", SIGNED_LINKAGE),
        rule("POST", "/v1/linkage/codes/batch", SIGNED_LINKAGE),
        rule("POST", "/v1/presence", Access::Peers(myna_node::access::HUB)),
        rule("POST", "/v1/access-log", PORTAL),
        rule("GET", "/v1/jpki/ca", PUBLISHED),
        rule("POST", "/v1/cards/applications", MUNICIPALITY),
        rule("GET", "/v1/cards/{card}", MUNICIPALITY),
        rule("POST", "/v1/cards/{card}/issue", MUNICIPALITY),
        rule("POST", "/v1/cards/{card}/suspend", MUNICIPALITY_OR_HOTLINE),
        rule("POST", "/v1/cards/{card}/holder-suspend", Access::InRequest("the holder's signature with the card")),
        rule("POST", "/v1/staff/challenge", Access::Public("a challenge for a staff card to sign; stateless")),
        rule("POST", "/v1/staff/login", Access::InRequest("the staff card's signature over the challenge")),
        rule("POST", "/v1/cards/{card}/resume", MUNICIPALITY),
        rule("POST", "/v1/cards/{card}/return", MUNICIPALITY),
        rule("POST", "/v1/cards/{card}/reset-key", MUNICIPALITY),
        rule("POST", "/v1/cards/{card}/reissue-signing", MUNICIPALITY),
        rule("GET", "/crl/{file}", PUBLISHED),
        rule("POST", "/ocsp", PUBLISHED),
        rule("POST", "/v1/jpki/verify", VERIFIER),
        rule("POST", "/v1/verifiers", Access::Public("a relying party registers itself; it is given a token once")),
        rule("POST", "/v1/consents", Access::InRequest("the holder's signature with the card")),
        rule("GET", "/v1/verifiers/me/certificates/{serial}/latest", VERIFIER),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use myna_node::access::Refused;

    fn peer(s: &str) -> Peer {
        Peer(s.parse().unwrap())
    }

    fn decide(method: &str, path: &str, caller: Option<&str>) -> Result<(), Refused> {
        Table::decide(TABLE.entry(method, path), caller.map(peer).as_ref())
    }

    #[test]
    fn the_registry_is_for_municipalities_and_lookups_for_those_who_link_numbers() {
        assert_eq!(decide("POST", "/v1/events", Some("municipality:131016")), Ok(()));
        assert!(matches!(decide("POST", "/v1/events", None), Err(Refused::Anonymous(_))));
        assert!(matches!(decide("POST", "/v1/events", Some("pension_service")), Err(Refused::Caller { .. })));
        assert!(matches!(decide("POST", "/v1/events", Some("portal")), Err(Refused::Caller { .. })));
        assert_eq!(decide("POST", "/v1/lookup", Some("pension_service")), Ok(()));
        assert_eq!(decide("POST", "/v1/lookup", Some("municipality:131016")), Ok(()));
        assert!(matches!(decide("POST", "/v1/lookup", Some("portal")), Err(Refused::Caller { .. })));
        assert!(matches!(decide("POST", "/v1/lookup", Some("someone")), Err(Refused::Caller { .. })), "no agency kind");
        assert_eq!(decide("POST", "/v1/cards/{card}/suspend", Some(HOTLINE)), Ok(()));
        assert_eq!(decide("GET", "/crl/{file}", None), Ok(()));
    }

    #[test]
    fn every_route_of_the_openapi_document_has_an_entry() {
        let doc: serde_json::Value = serde_json::from_str(&crate::openapi_json()).unwrap();
        let mut n = 0;
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                let m = method.to_ascii_uppercase();
                assert!(TABLE.entry(&m, path).is_some(), "{m} {path} has no entry in the authorization table");
                n += 1;
            }
        }
        assert_eq!(n, TABLE.rules.len(), "the table lists exactly the documented routes");
    }

    #[test]
    fn a_route_not_in_the_table_is_refused_to_everyone() {
        assert!(TABLE.entry("DELETE", "/v1/events").is_none());
        assert_eq!(decide("DELETE", "/v1/events", Some("municipality:131016")), Err(Refused::NotListed));
    }
}
