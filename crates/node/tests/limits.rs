//! A client cannot hold a node: idle and slow connections are closed after their timeouts,
//! and one address at its connection limit leaves room for the others.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    routing::{get, post},
};
use myna_node::{ClientAuth, Limits, Metrics, NodeIdentity, serve_limited};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
    time::{Instant, timeout},
};
use tokio_rustls::{TlsConnector, client::TlsStream, rustls};

fn limits() -> Limits {
    Limits {
        total: 64,
        per_address: 4,
        idle: Duration::from_secs(1),
        header: Duration::from_secs(1),
        body: Duration::from_secs(2),
        ..Limits::default()
    }
}

async fn node(dir: &std::path::Path) -> (myna_node::RunningNode, NodeIdentity) {
    let id = NodeIdentity::load_or_create(dir, "limits", &[]).unwrap();
    let routes = Router::new()
        .route("/hello", get(|| async { "hi" }))
        .route("/echo", post(|b: String| async move { b.len().to_string() }));
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let n =
        serve_limited(routes, "{}".into(), Metrics::new("test"), &id, addr, ClientAuth::None, limits()).await.unwrap();
    (n, id)
}

async fn tls(id: &NodeIdentity, port: u16, from: &str) -> std::io::Result<TlsStream<TcpStream>> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::pem::PemObject::pem_slice_iter(id.ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let mut cfg = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    let sock = TcpSocket::new_v4()?;
    sock.bind(format!("{from}:0").parse().unwrap())?;
    let tcp = sock.connect(format!("127.0.0.1:{port}").parse().unwrap()).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    TlsConnector::from(Arc::new(cfg)).connect(name, tcp).await
}

/// Reads until the server closes the connection (or errors it); the time it took.
async fn closed_within(s: &mut TlsStream<TcpStream>, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match timeout(limit.saturating_sub(start.elapsed()), s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

async fn get_hello(s: &mut TlsStream<TcpStream>) -> String {
    s.write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = timeout(Duration::from_secs(3), s.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_and_others_still_served() {
    let dir = std::env::temp_dir().join(format!("myna-limits-{}", std::process::id()));
    let (node, id) = node(&dir).await;
    let port = node.addr.port();

    // One address holds its four connections; a fifth from it is refused at once.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tls(&id, port, "127.0.0.1").await.unwrap());
    }
    assert!(tls(&id, port, "127.0.0.1").await.is_err(), "a fifth connection from one address is refused");
    // Another address is still served meanwhile.
    let mut other = tls(&id, port, "127.0.0.2").await.unwrap();
    assert!(get_hello(&mut other).await.contains("hi"), "a second client is served while the first holds its maximum");

    // The held connections sent nothing after the handshake: closed after the idle timeout.
    for s in &mut held {
        let t = closed_within(s, Duration::from_secs(4)).await.expect("an idle connection is closed");
        assert!(t < Duration::from_secs(3), "closed after {t:?}");
    }
    drop(held);
    // Their places are given back: the address may connect again.
    let mut again = tls(&id, port, "127.0.0.1").await.unwrap();
    assert!(get_hello(&mut again).await.contains("hi"));

    // Slowloris: a header line dribbled a byte every 300 ms (never idle) is cut at the
    // header timeout.
    let mut slow = tls(&id, port, "127.0.0.3").await.unwrap();
    let start = Instant::now();
    let mut cut = false;
    for b in b"GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter() {
        if slow.write_all(&[*b]).await.is_err() || slow.flush().await.is_err() {
            cut = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        if start.elapsed() > Duration::from_secs(6) {
            break;
        }
    }
    if !cut {
        cut = closed_within(&mut slow, Duration::from_secs(2)).await.is_some();
    }
    assert!(cut && start.elapsed() < Duration::from_secs(6), "slow headers are cut at the header timeout");

    // A slow body (a byte every 300 ms) is refused at the body deadline, not kept forever.
    let mut body = tls(&id, port, "127.0.0.4").await.unwrap();
    body.write_all(
        b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n",
    )
    .await
    .unwrap();
    let start = Instant::now();
    let mut answer = String::new();
    let mut buf = [0u8; 2048];
    while start.elapsed() < Duration::from_secs(8) && answer.is_empty() {
        if body.write_all(b"x").await.is_err() {
            break;
        }
        if let Ok(Ok(n)) = timeout(Duration::from_millis(300), body.read(&mut buf)).await {
            if n == 0 {
                break;
            }
            answer = String::from_utf8_lossy(&buf[..n]).to_string();
        }
    }
    assert!(start.elapsed() < Duration::from_secs(5), "the slow body was held for {:?}", start.elapsed());
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "refused, not answered: {answer}");

    // Unknown routes answer JSON that says what exists.
    let mut c = tls(&id, port, "127.0.0.5").await.unwrap();
    c.write_all(b"GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = timeout(Duration::from_secs(3), c.read(&mut buf)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(
        text.starts_with("HTTP/1.1 404") && text.contains("\"not_found\"") && text.contains("openapi.json"),
        "{text}"
    );

    // Errors of axum's own extractors and of a wrong method are JSON too.
    for (req, status, code) in [
        (&b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n\xff\xfe"[..], "400", "\"bad_request\""),
        (&b"DELETE /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"[..], "405", "\"method_not_allowed\""),
    ] {
        let mut c = tls(&id, port, "127.0.0.6").await.unwrap();
        c.write_all(req).await.unwrap();
        let n = timeout(Duration::from_secs(3), c.read(&mut buf)).await.unwrap().unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(
            text.starts_with(&format!("HTTP/1.1 {status}"))
                && text.contains("content-type: application/json")
                && text.contains(code),
            "{text}"
        );
    }
    node.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads one answer with a Content-Length body; its status line and head.
async fn answer(s: &mut TlsStream<TcpStream>) -> (String, String) {
    let mut data = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = timeout(Duration::from_secs(3), s.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed before the answer");
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            if body.len() >= len {
                return (head.lines().next().unwrap_or_default().to_string(), head.to_string());
            }
        }
    }
}

#[tokio::test]
async fn a_refused_request_leaves_the_connection_usable() {
    use myna_node::access::{Access, HUB, Table, authorize, rule};
    // Refused at the edge before the body is looked at; the body is still read, so the
    // connection stays open for the client's next request (a client reusing it from its
    // pool saw it cut without an answer when the server closed it instead).
    const T: Table = Table {
        node: "test",
        rules: &[
            rule("POST", "/only-hub", Access::Peers(HUB)),
            rule("GET", "/hello", Access::Public("a greeting")),
            rule("POST", "/n/{n}", Access::Public("a number")),
        ],
    };
    let dir = std::env::temp_dir().join(format!("myna-limits-refused-{}", std::process::id()));
    let id = NodeIdentity::load_or_create(&dir, "limits", &[]).unwrap();
    let routes = Router::new()
        .route("/hello", get(|| async { "hi" }))
        .route("/only-hub", post(|b: String| async move { b.len().to_string() }))
        .route(
            "/n/{n}",
            post(
                |axum::extract::Path(n): axum::extract::Path<u32>, b: String| async move { format!("{n} {}", b.len()) },
            ),
        )
        .route_layer(axum::middleware::from_fn_with_state(T, authorize));
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let lim = Limits::default();
    let node =
        serve_limited(routes, "{}".into(), Metrics::new("test"), &id, addr, ClientAuth::None, lim).await.unwrap();
    // Refused at the edge, or by a path that does not parse before the body is looked at.
    for (path, code) in
        [("/only-hub", "401"), ("/n/abc", "400"), ("/only-hub", "401"), ("/n/x", "400"), ("/n/7", "200")]
    {
        let mut s = tls(&id, node.addr.port(), "127.0.0.1").await.unwrap();
        let body = vec![b'x'; 40_000];
        let head = format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(&body).await.unwrap();
        let (status, head) = answer(&mut s).await;
        assert!(status.contains(code), "{path}: {status}");
        assert!(!head.to_ascii_lowercase().contains("connection: close"), "{head}");
        assert!(get_hello(&mut s).await.contains("hi"), "the same connection answers the next request");
    }
    // A large body is not waited for: the refusal comes at once and says the connection ends.
    let mut s = tls(&id, node.addr.port(), "127.0.0.1").await.unwrap();
    s.write_all(b"POST /only-hub HTTP/1.1\r\nHost: localhost\r\nContent-Length: 250000000\r\n\r\n").await.unwrap();
    let (status, head) = answer(&mut s).await;
    assert!(status.contains("401"), "{status}");
    assert!(head.to_ascii_lowercase().contains("connection: close"), "{head}");
}
