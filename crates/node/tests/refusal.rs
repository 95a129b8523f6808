//! A refusal is an answer the caller can keep: signed by the refusing node, naming the caller,
//! the request and the reason; and a caller refused too often is held back with 429 while
//! other callers are still served.

use std::{net::SocketAddr, time::Duration};

use axum::{Router, http::StatusCode, routing::get};
use myna_node::{
    ApiError, ClientAuth, Limits, Metrics, NodeIdentity, REFUSAL_HEADER, Refusal, RefusalLimit, serve_limited,
};

async fn guarded() -> Result<&'static str, ApiError> {
    Err(ApiError::forbidden("caller_not_allowed", "only the hub may call this"))
}

/// A route's own answer about data, to a caller it lets in.
async fn not_kept() -> Result<&'static str, ApiError> {
    Err(ApiError::forbidden("not_its_resident", "this municipality does not keep that register"))
}

#[tokio::test]
async fn a_refusal_is_signed_by_the_node_and_a_caller_refused_too_often_waits() {
    let dir = std::env::temp_dir().join(format!("myna-refusal-{}", std::process::id()));
    let server = NodeIdentity::load_or_create(&dir, "jlis", &[]).unwrap();
    let clerk = NodeIdentity::load_or_create(&dir, "municipality:131016", &[]).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let limits =
        Limits { refusals: RefusalLimit { per_window: 3, window: Duration::from_secs(60) }, ..Limits::default() };
    let node = serve_limited(
        Router::new()
            .route("/guarded", get(guarded))
            .route("/data", get(not_kept))
            .route("/open", get(|| async { "ok" })),
        "{}".into(),
        Metrics::new("t"),
        &server,
        addr,
        ClientAuth::Optional,
        limits,
    )
    .await
    .unwrap();
    let url = |p: &str| format!("https://localhost:{}{p}", node.addr.port());
    let trust = myna_link::NetworkTrust::from_ca_pem(&server.ca_pem).unwrap();

    let clerk_client = clerk.client().unwrap();
    let res = clerk_client.get(url("/guarded")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let jws = res.headers().get(REFUSAL_HEADER).expect("a refusal carries its signed statement").to_str().unwrap();
    let signed = trust.open::<Refusal>(jws, myna_node::now_secs()).unwrap();
    assert_eq!(signed.signer.as_str(), "jlis", "signed by the refusing node's certificate");
    let r = signed.body;
    assert_eq!(
        (r.caller.as_str(), r.path.as_str(), r.status, r.code.as_str()),
        ("peer:municipality:131016", "/guarded", 403, "caller_not_allowed")
    );
    // The body still says what to fix.
    assert!(res.text().await.unwrap().contains("only the hub may call this"));

    for _ in 0..2 {
        assert_eq!(clerk_client.get(url("/guarded")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    }
    let held = clerk_client.get(url("/guarded")).send().await.unwrap();
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS, "three refusals by the table in a minute: it waits");
    assert!(held.headers().get("retry-after").is_some());
    assert_eq!(
        clerk_client.get(url("/open")).send().await.unwrap().status(),
        StatusCode::OK,
        "other routes still answer"
    );
    // A route's own refusals about data are signed but not counted.
    for _ in 0..5 {
        let r = clerk_client.get(url("/data")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.headers().get(REFUSAL_HEADER).is_some());
    }

    // Another caller (no certificate, so named by its address) is still served.
    let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).unwrap();
    let anonymous = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
    assert_eq!(anonymous.get(url("/open")).send().await.unwrap().status(), StatusCode::OK);

    node.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
