//! A route learns who calls from the client certificate of the TLS handshake: a node of the
//! network is named by its certificate, a client with none is named by nothing, and a
//! certificate from outside the network does not get through the handshake.

use std::net::SocketAddr;

use axum::{Extension, Router, routing::get};
use myna_node::{ClientAuth, Metrics, NodeIdentity, Peer, serve_with};

async fn who(Extension(peer): Extension<Option<Peer>>) -> String {
    peer.map(|p| p.0.to_string()).unwrap_or_else(|| "nobody".into())
}

#[tokio::test]
async fn the_caller_is_named_by_its_certificate_and_only_by_it() {
    let dir = std::env::temp_dir().join(format!("myna-peer-{}", std::process::id()));
    let server = NodeIdentity::load_or_create(&dir, "jlis", &[]).unwrap();
    let clerk = NodeIdentity::load_or_create(&dir, "municipality:131016", &[]).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let node = serve_with(
        Router::new().route("/who", get(who)),
        "{}".into(),
        Metrics::new("t"),
        &server,
        addr,
        ClientAuth::Optional,
    )
    .await
    .unwrap();
    let url = format!("https://localhost:{}/who", node.addr.port());

    let named = clerk.client().unwrap().get(&url).send().await.unwrap().text().await.unwrap();
    assert_eq!(named, "municipality:131016");

    let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).unwrap();
    let anonymous = reqwest::Client::builder().tls_certs_only([ca.clone()]).build().unwrap();
    assert_eq!(anonymous.get(&url).send().await.unwrap().text().await.unwrap(), "nobody");

    // A certificate of another network (its own CA) is refused in the handshake.
    let other_dir = dir.join("other");
    let stranger = NodeIdentity::load_or_create(&other_dir, "municipality:131016", &[]).unwrap();
    let id = reqwest::Identity::from_pem(format!("{}\n{}", stranger.cert_pem, stranger.key_pem).as_bytes()).unwrap();
    let outsider = reqwest::Client::builder().tls_certs_only([ca]).identity(id).build().unwrap();
    assert!(outsider.get(&url).send().await.is_err(), "a certificate from outside the network is not accepted");

    node.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
