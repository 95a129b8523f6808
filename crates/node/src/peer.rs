//! Who is calling, from the TLS handshake: the common name of the client certificate the
//! network CA issued (rustls has verified the chain before this runs). Every request carries it
//! as an [`Peer`] extension, `None` when the client presented no certificate; a route names its
//! caller from this, never from the body.

use std::{future::Future, io, pin::Pin};

use axum_server::accept::Accept;
use tokio_rustls::server::TlsStream;
use tower_layer::Layer;

use crate::{RemoteIp, limits::Guarded};

/// The caller's network id, its certificate's name (`municipality:131016`, `hub`, `portal` …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer(pub myna_link::AgencyId);

/// Wraps the TLS acceptor: after the handshake, the connection's service adds the peer and
/// the client's address.
#[derive(Clone)]
pub(crate) struct PeerAcceptor<A>(pub A);

type Svc<S> = <axum::Extension<Option<Peer>> as Layer<<axum::Extension<RemoteIp> as Layer<S>>::Service>>::Service;

impl<A, I, S> Accept<I, S> for PeerAcceptor<A>
where
    A: Accept<I, S, Stream = TlsStream<Guarded>>,
    A::Future: Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = TlsStream<Guarded>;
    type Service = Svc<A::Service>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let inner = self.0.accept(stream, service);
        Box::pin(async move {
            let (stream, service) = inner.await?;
            let peer = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| myna_link::certificate_id(c).ok())
                .map(Peer);
            let ip = RemoteIp(stream.get_ref().0.ip());
            Ok((stream, axum::Extension(peer).layer(axum::Extension(ip).layer(service))))
        })
    }
}

/// A route layer that lets through only callers whose certificate names one of `allowed`
/// (`axum::middleware::from_fn_with_state(&["hub"][..], only_peers)`): no certificate is 401,
/// another node's is 403, each with what the caller would need. Checked before the body is read.
pub async fn only_peers(
    axum::extract::State(allowed): axum::extract::State<&'static [&'static str]>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let refusal = match req.extensions().get::<Option<Peer>>().cloned().flatten() {
        Some(p) if allowed.contains(&p.0.as_str()) => return next.run(req).await,
        Some(p) => crate::ApiError::forbidden(
            "caller_not_allowed",
            format!("{} may not call this; only {} may", p.0, allowed.join(", ")),
        )
        .into_response(),
        None => crate::ApiError::unauthorized(
            "client_certificate",
            format!("present a network certificate of {} (mutual TLS)", allowed.join(", ")),
        )
        .into_response(),
    };
    crate::access::drained(req, refusal).await
}
