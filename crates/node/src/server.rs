//! Serving a role's routes over HTTPS with the shared endpoints.

use std::{net::SocketAddr, sync::Arc};

use axum::{Router, http::header, middleware, response::IntoResponse, routing::get};
use axum_server::{Handle, tls_rustls::RustlsConfig};

use crate::{
    Metrics, NodeIdentity, TlsError,
    limits::{Gate, Limits},
};

/// A node that is serving. Dropping it does not stop it; call [`RunningNode::shutdown`].
pub struct RunningNode {
    pub addr: SocketAddr,
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningNode {
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), and waits.
    pub async fn shutdown(self) {
        self.handle.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
        let _ = self.task.await;
    }

    /// Waits until the server stops by itself (an error) or forever.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Whether a node asks connecting clients for a certificate from the network CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// Anyone may connect (residents' tools, browsers).
    None,
    /// Clients may present a network certificate; those that present another are refused.
    Optional,
    /// Mutual TLS: only nodes with a certificate from the network CA connect.
    Required,
}

fn tls_config(identity: &NodeIdentity, auth: ClientAuth) -> Result<rustls::ServerConfig, TlsError> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
    let bad = |what: &str, e: &dyn std::fmt::Display| TlsError::Io {
        path: what.into(),
        err: std::io::Error::other(e.to_string()),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(identity.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| bad("node.pem", &e))?;
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).map_err(|e| bad("node.key", &e))?;
    let builder = rustls::ServerConfig::builder();
    let builder = match auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Optional | ClientAuth::Required => {
            let mut roots = rustls::RootCertStore::empty();
            for ca in CertificateDer::pem_slice_iter(identity.ca_pem.as_bytes()) {
                roots.add(ca.map_err(|e| bad("ca.pem", &e))?).map_err(|e| bad("ca.pem", &e))?;
            }
            let v = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots));
            let v = if auth == ClientAuth::Optional { v.allow_unauthenticated() } else { v };
            builder.with_client_cert_verifier(v.build().map_err(|e| bad("ca.pem", &e))?)
        }
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| bad("node.pem", &e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `routes` with `/healthz`, `/metrics` and `/openapi.json` at `addr` over HTTPS.
pub async fn serve(
    routes: Router,
    openapi_json: String,
    metrics: Metrics,
    identity: &NodeIdentity,
    addr: SocketAddr,
) -> Result<RunningNode, TlsError> {
    serve_with(routes, openapi_json, metrics, identity, addr, ClientAuth::None).await
}

/// [`serve`], asking clients for certificates as `auth` says.
pub async fn serve_with(
    routes: Router,
    openapi_json: String,
    metrics: Metrics,
    identity: &NodeIdentity,
    addr: SocketAddr,
    auth: ClientAuth,
) -> Result<RunningNode, TlsError> {
    serve_limited(routes, openapi_json, metrics, identity, addr, auth, Limits::default()).await
}

/// A request body, by default, is at most this (a route that takes more says so).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// `/healthz`: "ok", or 503 with the storage condition that makes the node refuse writes.
async fn healthz() -> axum::response::Response {
    match myna_store::StorageReport::now().condition {
        None => "ok\n".into_response(),
        Some(c) => crate::ApiError::storage(c).into_response(),
    }
}

async fn not_found(uri: axum::http::Uri) -> crate::ApiError {
    crate::ApiError::not_found(format!("no such endpoint: {}; /openapi.json lists this node's API", uri.path()))
}

/// [`serve_with`] with connection limits of the caller's choosing.
#[allow(clippy::too_many_arguments)]
pub async fn serve_limited(
    routes: Router,
    openapi_json: String,
    metrics: Metrics,
    identity: &NodeIdentity,
    addr: SocketAddr,
    auth: ClientAuth,
    limits: Limits,
) -> Result<RunningNode, TlsError> {
    // One crypto provider for the process (aws-lc-rs); ignore "already installed".
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let config = RustlsConfig::from_config(Arc::new(tls_config(identity, auth)?));
    let openapi = Arc::new(crate::refusal::document_429(openapi_json));
    let refusals =
        crate::Refusals::new(myna_link::NodeKey::from_pem(&identity.cert_pem, &identity.key_pem).ok(), limits.refusals);
    let m = metrics.clone();
    let app = routes
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(move || {
                let m = m.clone();
                async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], m.render()).into_response() }
            }),
        )
        .route(
            "/openapi.json",
            get(move || {
                let o = openapi.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], (*o).clone()).into_response() }
            }),
        )
        .fallback(not_found)
        .layer(middleware::map_response(crate::json::plain_errors_as_json))
        .layer(middleware::from_fn_with_state(refusals, crate::refusal::refusals))
        .layer(middleware::from_fn(crate::limits::read_small_body))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(limits.body, crate::limits::body_deadline))
        .layer(middleware::from_fn_with_state(metrics, Metrics::track));
    let handle: Handle<SocketAddr> = Handle::new();
    let acceptor =
        crate::peer::PeerAcceptor(axum_server::tls_rustls::RustlsAcceptor::new(config).acceptor(Gate::new(limits)));
    let mut server = axum_server::bind(addr).acceptor(acceptor).handle(handle.clone());
    let timer = hyper_util::rt::TokioTimer::new();
    server.http_builder().http1().timer(timer.clone()).header_read_timeout(limits.header);
    server.http_builder().http2().timer(timer).max_concurrent_streams(256);
    let task = tokio::spawn(async move { server.serve(app.into_make_service()).await });
    let addr = handle.listening().await.ok_or_else(|| TlsError::Io {
        path: addr.to_string().into(),
        err: std::io::Error::other("the listener did not start (is the port in use?)"),
    })?;
    Ok(RunningNode { addr, handle, task })
}
