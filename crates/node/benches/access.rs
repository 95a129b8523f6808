//! What authorization costs a request: the same route served bare, and behind the
//! authorization table and the refusal book as every node serves it (in process, no network:
//! only the layers differ). A refused request also pays for its signed statement (ES256).

use std::sync::Arc;

use axum::{Router, body::Body, extract::Request, http::Method, routing::post};
use myna_node::{
    NodeIdentity, Peer, RefusalLimit, Refusals, RemoteIp,
    access::{self, Access, Table, rule},
};
use tower::ServiceExt as _;

fn main() {
    divan::main();
}

const TABLE: Table = Table {
    node: "bench",
    rules: &[
        rule("POST", "/v1/events", Access::Peers(access::AGENCY)),
        rule("POST", "/v1/lookup", Access::Peers(access::AGENCY)),
        rule("GET", "/crl/{file}", Access::Public("a CRL")),
    ],
};

fn routes() -> Router {
    Router::new().route("/v1/lookup", post(|| async { "ok" })).route("/v1/events", post(|| async { "ok" }))
}

fn guarded() -> Router {
    let dir = std::env::temp_dir().join(format!("myna-bench-access-{}", std::process::id()));
    let id = NodeIdentity::load_or_create(&dir, "jlis", &[]).unwrap();
    let key = myna_link::NodeKey::from_pem(&id.cert_pem, &id.key_pem).ok();
    // A limit no bench run reaches, so every refused request is handled and signed.
    let book = Refusals::new(key, RefusalLimit { per_window: u32::MAX, ..RefusalLimit::default() });
    routes()
        .route_layer(axum::middleware::from_fn_with_state(TABLE, access::authorize))
        .layer(axum::middleware::from_fn_with_state(book, myna_node::refusals))
}

fn request(peer: Option<&str>) -> Request {
    let mut req = Request::builder().method(Method::POST).uri("/v1/lookup").body(Body::from("{}")).unwrap();
    req.extensions_mut().insert(peer.map(|p| Peer(p.parse().unwrap())));
    req.extensions_mut().insert(RemoteIp([127, 0, 0, 1].into()));
    req
}

fn run(b: divan::Bencher, router: Router, peer: Option<&'static str>) {
    let rt = Arc::new(tokio::runtime::Builder::new_current_thread().build().unwrap());
    b.bench(|| rt.block_on(router.clone().oneshot(request(peer))).unwrap().status());
}

/// The reference: the route alone.
#[divan::bench]
fn bare_route(b: divan::Bencher) {
    run(b, routes(), Some("pension_service"));
}

/// Let in by the table.
#[divan::bench]
fn through_the_table(b: divan::Bencher) {
    run(b, guarded(), Some("pension_service"));
}

/// Refused by the table: answered, logged and signed.
#[divan::bench]
fn refused_and_signed(b: divan::Bencher) {
    run(b, guarded(), Some("someone"));
}
