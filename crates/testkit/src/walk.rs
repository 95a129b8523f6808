//! The route walk: every route a node documents is in its authorization table and every
//! table entry is documented; every route that needs a network certificate is called three
//! times — with no client certificate, with one of a kind it does not let in, with one it
//! does — and must answer refusal (401), refusal (403 `caller_not_allowed`) and something
//! other than a refusal by the table. Routes whose credential is in the request must not
//! answer 2xx without it.

use std::path::Path;

use myna_node::{
    NodeIdentity,
    access::{Access, Table},
};
use reqwest::{Client, Method, StatusCode};

/// The codes the table's own refusals use: the walk tells them from a route's own answers.
const TABLE_CODES: &[&str] = &["client_certificate", "caller_not_allowed", "not_listed"];

async fn call(client: &Client, base: &str, method: &str, path: &str) -> Result<(StatusCode, String), String> {
    // Path parameters get a value of the right shape for nothing in particular.
    let mut concrete = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        concrete.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|c| open + c + 1).unwrap_or(rest.len());
        concrete.push_str("x1");
        rest = &rest[close..];
    }
    concrete.push_str(rest);
    let m = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = client.request(m.clone(), format!("{base}{concrete}"));
    if m != Method::GET {
        req = req.header("content-type", "application/json").body("{}");
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status();
            Ok((status, res.text().await.unwrap_or_default()))
        }
        Err(e) => Err(format!("{e}")),
    }
}

fn code(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Walks `table` against the node at `base` (its `/openapi.json` included), with client
/// certificates made by the network CA in `network`. Every failure is in the error, at once;
/// a walk that cannot start (no CA, no document) says why.
pub async fn walk(base: &str, table: &Table, network: &Path) -> Result<(), String> {
    let identity = |name: &str| {
        NodeIdentity::load_or_create(network, name, &[])
            .and_then(|id| id.client())
            .map_err(|e| format!("a certificate for {name}: {e}"))
    };
    let ca_pem = std::fs::read_to_string(network.join("ca.pem")).map_err(|e| format!("the network CA: {e}"))?;
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).map_err(|e| format!("the network CA: {e}"))?;
    let anonymous = Client::builder().tls_certs_only([ca]).build().map_err(|e| e.to_string())?;
    let any_member = identity("pension_service")?;
    let doc: serde_json::Value = async { any_member.get(format!("{base}/openapi.json")).send().await?.json().await }
        .await
        .map_err(|e| format!("{base}/openapi.json: {e}"))?;
    let paths = doc["paths"].as_object().ok_or_else(|| format!("{base}/openapi.json has no paths"))?;
    let mut failures = Vec::new();
    let mut documented = 0;
    for (path, ops) in paths {
        for method in ops.as_object().into_iter().flat_map(|o| o.keys()) {
            let m = method.to_ascii_uppercase();
            documented += 1;
            if table.entry(&m, path).is_none() {
                failures.push(format!("{m} {path}: documented but not in {}'s authorization table", table.node));
            }
        }
    }
    let api = table.rules.iter().filter(|r| !matches!(r.access, Access::Page(_))).count();
    if documented != api {
        failures.push(format!("{documented} routes documented, {api} API routes in the table"));
    }
    for r in table.rules {
        match r.access {
            Access::Public(_) | Access::Page(_) => {}
            Access::InRequest(what) => match call(&anonymous, base, r.method, r.path).await {
                Ok((s, _)) if s.is_success() => {
                    failures.push(format!("{} {}: {s} with no credential (needs {what})", r.method, r.path))
                }
                _ => {}
            },
            Access::Peers(p) => {
                match call(&anonymous, base, r.method, r.path).await {
                    // A node that requires client certificates refuses in the handshake.
                    Err(_) => {}
                    Ok((s, body)) if s == StatusCode::UNAUTHORIZED && code(&body) == "client_certificate" => {}
                    Ok((s, body)) => failures.push(format!("{} {}: no certificate got {s} {body}", r.method, r.path)),
                }
                if !p.not.is_empty() {
                    match call(&identity(p.not)?, base, r.method, r.path).await {
                        Ok((s, body)) if s == StatusCode::FORBIDDEN && code(&body) == "caller_not_allowed" => {}
                        other => failures.push(format!("{} {}: {} got {other:?}, not 403", r.method, r.path, p.not)),
                    }
                }
                match call(&identity(p.example)?, base, r.method, r.path).await {
                    Ok((s, body))
                        if !TABLE_CODES.contains(&code(&body).as_str()) && s != StatusCode::TOO_MANY_REQUESTS => {}
                    other => failures.push(format!("{} {}: {} got {other:?}", r.method, r.path, p.example)),
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("the route walk of {} found:\n{}", table.node, failures.join("\n")))
    }
}
