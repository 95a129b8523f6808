//! Authorization as data: each node role lists every route it serves with who may call it,
//! and the table is enforced in one place at the edge, written into the OpenAPI document's
//! `security`, and walked by the tests (`myna_testkit::walk`). Deny by default: a routed path
//! with no entry is refused to everyone.
//!
//! The caller is its network certificate's name ([`crate::Peer`]), never a claim in a body.
//! Routes whose credential travels in the request itself (a node's signed message, a card's
//! signature, a staff or resident session) say what that credential is, and the route checks it.

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use myna_link::{AgencyId, AgencyKind};

use crate::{ApiError, Peer};

/// Who may call a route.
#[derive(Clone, Copy)]
pub enum Access {
    /// Anyone, with no credential: CA certificates, CRLs, OCSP, published log heads. Says why.
    Public(&'static str),
    /// Anyone may reach it; the credential is in the request and the route checks it (a
    /// node's signed message, a card's signature, a session). Says what the credential is.
    InRequest(&'static str),
    /// Only callers whose network certificate the rule accepts.
    Peers(Peers),
    /// A route outside the OpenAPI document (a browser page, a well-known document): open,
    /// or behind the page's own session, as it says.
    Page(&'static str),
}

/// A rule over network certificates: what it says to a person, the test it applies, and two
/// example callers (one it lets in, one it does not) that the route walk uses and the
/// OpenAPI document shows.
#[derive(Clone, Copy)]
pub struct Peers {
    pub who: &'static str,
    pub may: fn(&AgencyId) -> bool,
    pub example: &'static str,
    pub not: &'static str,
}

/// `id` is of `kind`.
pub fn is_kind(id: &AgencyId, kind: AgencyKind) -> bool {
    id.kind().ok() == Some(kind)
}

/// The hub only: the linkage network's forwards.
pub const HUB: Peers =
    Peers { who: "the linkage hub", may: |id| id.as_str() == "hub", example: "hub", not: "pension_service" };

/// J-LIS (its issuance centre ordering documents for stores' kiosks).
pub const JLIS: Peers =
    Peers { who: "J-LIS", may: |id| id.as_str() == "jlis", example: "jlis", not: "municipality:131016" };

/// Any member of the network with an agency kind (not the hub or J-LIS themselves).
pub const AGENCY: Peers = Peers {
    who: "an agency of the network (its certificate names its kind)",
    may: |id| id.kind().is_ok(),
    example: "pension_service",
    not: "someone",
};

/// Myna Portal (kind `portal`).
pub const PORTAL: Peers =
    Peers { who: "Myna Portal", may: |id| is_kind(id, AgencyKind::Portal), example: "portal", not: "pension_service" };

/// One route's entry.
#[derive(Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    /// As routed (`/v1/cards/{card}`).
    pub path: &'static str,
    pub access: Access,
}

/// Shorthand for a table row.
pub const fn rule(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule { method, path, access }
}

/// A node's whole table.
#[derive(Clone, Copy)]
pub struct Table {
    /// The node, as refusals name it ("J-LIS", "the hub" …).
    pub node: &'static str,
    pub rules: &'static [Rule],
}

/// Why a caller was refused, for it to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No entry for the route: nobody may call it.
    NotListed,
    /// No network certificate presented; the rule's `who`.
    Anonymous(&'static str),
    /// A certificate of the network, but not one the rule lets in.
    Caller { caller: String, who: &'static str },
}

/// Whether two route patterns are one: the router's `{*rest}` (the rest of the path) is
/// OpenAPI's `{rest}`, so the table, the router and the document may each spell it their way.
fn same_route(a: &str, b: &str) -> bool {
    fn chars(s: &str) -> impl Iterator<Item = char> + '_ {
        let mut prev = ' ';
        s.chars().filter(move |&c| {
            let keep = !(c == '*' && prev == '{');
            prev = c;
            keep
        })
    }
    chars(a).eq(chars(b))
}

/// Two OpenAPI documents as one: the paths and schemas of `more` added to `base` (a node that
/// serves a second role's routes beside its own, as the account registry's bank counter).
pub fn merge_documents(base: &str, more: &str) -> String {
    let (Ok(mut a), Ok(b)) =
        (serde_json::from_str::<serde_json::Value>(base), serde_json::from_str::<serde_json::Value>(more))
    else {
        return base.to_owned();
    };
    for key in ["paths"] {
        if let (Some(to), Some(from)) = (a[key].as_object_mut(), b[key].as_object()) {
            to.extend(from.clone());
        }
    }
    if let Some(from) = b["components"]["schemas"].as_object() {
        if !a["components"]["schemas"].is_object() {
            a["components"]["schemas"] = serde_json::json!({});
        }
        if let Some(to) = a["components"]["schemas"].as_object_mut() {
            to.extend(from.clone());
        }
    }
    serde_json::to_string_pretty(&a).unwrap_or_else(|_| base.to_owned())
}

impl Table {
    pub fn entry(&self, method: &str, path: &str) -> Option<Access> {
        self.rules.iter().find(|r| r.method == method && same_route(r.path, path)).map(|r| r.access)
    }

    /// The methods the table lists for a routed path.
    pub fn methods(&self, path: &str) -> Vec<&'static str> {
        self.rules.iter().filter(|r| same_route(r.path, path)).map(|r| r.method).collect()
    }

    /// Whether `peer` may call the route `access` guards.
    pub fn decide(access: Option<Access>, peer: Option<&Peer>) -> Result<(), Refused> {
        match access.ok_or(Refused::NotListed)? {
            Access::Public(_) | Access::InRequest(_) | Access::Page(_) => Ok(()),
            Access::Peers(rule) => {
                let peer = peer.ok_or(Refused::Anonymous(rule.who))?;
                if (rule.may)(&peer.0) {
                    Ok(())
                } else {
                    Err(Refused::Caller { caller: peer.0.to_string(), who: rule.who })
                }
            }
        }
    }

    fn refusal(&self, refused: &Refused) -> ApiError {
        match refused {
            Refused::NotListed => {
                ApiError::forbidden("not_listed", format!("this route is not in {}'s authorization table", self.node))
            }
            Refused::Anonymous(who) => ApiError::unauthorized(
                "client_certificate",
                format!("present the network certificate of {who} (mutual TLS)"),
            ),
            Refused::Caller { caller, who } => {
                ApiError::forbidden("caller_not_allowed", format!("{caller} may not call this: only {who}"))
            }
        }
    }

    /// The OpenAPI document with the table written into it: each route that needs a network
    /// certificate says so (`security`: mutual TLS, who) and documents its 401 and 403; a
    /// route whose credential is in the request says what it is.
    pub fn document(&self, openapi_json: &str) -> String {
        let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(openapi_json) else {
            return openapi_json.to_owned();
        };
        doc["components"]["securitySchemes"]["networkCertificate"] = serde_json::json!({
            "type": "mutualTLS",
            "description": "A client certificate from the network CA; its common name names the caller (municipality:<local government code>, pension_service, hub, …)."
        });
        for r in self.rules {
            let method = r.method.to_ascii_lowercase();
            // Read before writing: indexing a JSON value mutably would add the path.
            if !doc["paths"][r.path][&method].is_object() {
                continue;
            }
            let op = &mut doc["paths"][r.path][&method];
            let note = match r.access {
                Access::Page(_) => continue,
                Access::Public(why) => format!("Open to anyone: {why}."),
                Access::InRequest(what) => format!("The credential is in the request: {what}."),
                Access::Peers(p) => {
                    op["security"] = serde_json::json!([{"networkCertificate": []}]);
                    op["responses"]["401"] = serde_json::json!({"description": "no network certificate presented"});
                    op["responses"]["403"] =
                        serde_json::json!({"description": format!("the certificate is not of {}", p.who)});
                    format!("Only {}, by its network certificate (e.g. {}).", p.who, p.example)
                }
            };
            let before = op["description"].as_str().map(|d| format!("{d}\n\n")).unwrap_or_default();
            op["description"] = serde_json::json!(format!("{before}{note}"));
        }
        serde_json::to_string_pretty(&doc).unwrap_or_else(|_| openapi_json.to_owned())
    }
}

/// The table at the edge (`route_layer(from_fn_with_state(TABLE, authorize))`): every routed
/// request is checked against its entry before its body is read. A path the table lists
/// called with a method it does not list is 405 with the methods it does (the table, not the
/// router, decides what a path answers to).
pub async fn authorize(State(table): State<Table>, req: Request, next: Next) -> Response {
    let path = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let peer = req.extensions().get::<Option<Peer>>().cloned().flatten();
    // HEAD is answered as GET is (axum does so), and authorized as GET.
    let method = if req.method() == Method::HEAD { "GET" } else { req.method().as_str() };
    let access = path.as_deref().and_then(|p| table.entry(method, p));
    if access.is_none() {
        let methods = path.as_deref().map(|p| table.methods(p)).unwrap_or_default();
        if !methods.is_empty() {
            let mut r = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("this path answers {}", methods.join(", ")),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&methods.join(", ")) {
                r.headers_mut().insert(header::ALLOW, v);
            }
            return r;
        }
    }
    match Table::decide(access, peer.as_ref()) {
        Ok(()) => next.run(req).await,
        Err(refused) => drained(req, table.refusal(&refused).into_response()).await,
    }
}

/// `refusal`, answered so that the client knows whether the connection goes on. A small body
/// was read before the routes (`limits::read_small_body`), so the connection stays open; a
/// larger one is not waited for — the refusal comes at once, as it must for a 250 MB upload
/// without a token — and the answer says `Connection: close`, as the server then closes it.
pub async fn drained(req: Request, mut refusal: Response) -> Response {
    if crate::limits::unread_body(req.headers()) {
        refusal.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    refusal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(s: &str) -> Peer {
        Peer(s.parse().unwrap())
    }

    const T: Table = Table {
        node: "test",
        rules: &[rule("POST", "/v1/forward", Access::Peers(HUB)), rule("GET", "/crl", Access::Public("a CRL"))],
    };

    #[test]
    fn a_rest_of_path_route_is_one_route_however_spelled() {
        assert!(same_route("/v1/log/tile/{*path}", "/v1/log/tile/{path}"));
        assert!(same_route("/v1/log/tile/{path}", "/v1/log/tile/{*path}"));
        assert!(!same_route("/v1/log/tile/{*path}", "/v1/log/tile/entries/{*path}"));
        assert!(!same_route("/v1/a*b", "/v1/ab"), "a star elsewhere is part of the path");
    }

    #[test]
    fn deny_by_default_and_each_refusal_says_what_is_missing() {
        assert_eq!(Table::decide(T.entry("POST", "/v1/forward"), Some(&peer("hub"))), Ok(()));
        assert!(matches!(Table::decide(T.entry("POST", "/v1/forward"), None), Err(Refused::Anonymous(_))));
        assert!(matches!(
            Table::decide(T.entry("POST", "/v1/forward"), Some(&peer("pension_service"))),
            Err(Refused::Caller { .. })
        ));
        assert_eq!(Table::decide(T.entry("GET", "/crl"), None), Ok(()));
        assert_eq!(Table::decide(T.entry("DELETE", "/crl"), Some(&peer("hub"))), Err(Refused::NotListed));
        assert_eq!(T.methods("/crl"), ["GET"]);
    }

    #[test]
    fn the_document_says_who_may_call_each_route() {
        let doc = T.document(r#"{"paths":{"/v1/forward":{"post":{"responses":{}}},"/crl":{"get":{"responses":{}}}}}"#);
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["paths"]["/v1/forward"]["post"]["security"][0]["networkCertificate"], serde_json::json!([]));
        assert!(v["paths"]["/v1/forward"]["post"]["responses"]["403"].is_object());
        assert!(v["paths"]["/crl"]["get"]["security"].is_null());
        assert!(v["paths"]["/crl"]["get"]["description"].as_str().unwrap().contains("Open to anyone"));
    }
}
