//! Serving a role's routes over HTTPS with the shared endpoints.

use std::{net::SocketAddr, sync::Arc};

use axum::{Router, http::header, middleware, response::IntoResponse, routing::get};
use axum_server::{Handle, tls_rustls::RustlsConfig};

use crate::{Metrics, NodeIdentity, TlsError};

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

/// Serves `routes` with `/healthz`, `/metrics` and `/openapi.json` at `addr` over HTTPS.
pub async fn serve(
    routes: Router,
    openapi_json: String,
    metrics: Metrics,
    identity: &NodeIdentity,
    addr: SocketAddr,
) -> Result<RunningNode, TlsError> {
    // One crypto provider for the process (aws-lc-rs); ignore "already installed".
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let config = RustlsConfig::from_pem(identity.cert_pem.clone().into_bytes(), identity.key_pem.clone().into_bytes())
        .await
        .map_err(|err| TlsError::Io { path: "node.pem".into(), err })?;
    let openapi = Arc::new(openapi_json);
    let m = metrics.clone();
    let app = routes
        .route("/healthz", get(|| async { "ok\n" }))
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
        .layer(middleware::from_fn_with_state(metrics, Metrics::track));
    let handle: Handle<SocketAddr> = Handle::new();
    let server = axum_server::bind_rustls(addr, config).handle(handle.clone());
    let task = tokio::spawn(async move { server.serve(app.into_make_service()).await });
    let addr = handle.listening().await.ok_or_else(|| TlsError::Io {
        path: addr.to_string().into(),
        err: std::io::Error::other("the listener did not start (is the port in use?)"),
    })?;
    Ok(RunningNode { addr, handle, task })
}
