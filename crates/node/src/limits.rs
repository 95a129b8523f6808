//! What one client may hold of a node: connections in total and per address, and how long a
//! connection may sit idle after its TLS handshake. Without these, ~20,000 idle connections
//! from one client used up the demo's file descriptors and every node stopped answering.

use std::{
    collections::HashMap,
    future::{Future, Ready, ready},
    io,
    net::IpAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use axum_server::accept::Accept;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    time::{Instant, Sleep},
};

/// A node's connection limits. The defaults are what `serve` uses.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at once, from everyone.
    pub total: usize,
    /// Open connections at once from one IP address.
    pub per_address: usize,
    /// A connection with no byte read or written for this long is closed.
    pub idle: Duration,
    /// The whole request head (line and headers) must arrive within this (HTTP/1).
    pub header: Duration,
    /// A request body must arrive within this, unless the route allows longer.
    pub body: Duration,
    /// Refused requests (401/403) one caller may make before it is answered 429.
    pub refusals: crate::RefusalLimit,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            total: 2048,
            per_address: 256,
            idle: Duration::from_secs(60),
            header: Duration::from_secs(10),
            body: Duration::from_secs(30),
            refusals: crate::RefusalLimit::default(),
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Accepts a TCP connection only while the limits allow it; the connection gives its place
/// back when it closes.
#[derive(Clone)]
pub(crate) struct Gate {
    limits: Limits,
    counts: Arc<Mutex<Counts>>,
}

impl Gate {
    pub(crate) fn new(limits: Limits) -> Self {
        Self { limits, counts: Arc::default() }
    }

    fn enter(&self, ip: IpAddr) -> Option<Place> {
        let mut c = self.counts.lock().ok()?;
        let mine = c.by_address.get(&ip).copied().unwrap_or(0);
        if c.total >= self.limits.total || mine >= self.limits.per_address {
            return None;
        }
        c.total += 1;
        c.by_address.insert(ip, mine + 1);
        Some(Place { ip, counts: self.counts.clone() })
    }
}

struct Place {
    ip: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Ok(mut c) = self.counts.lock() {
            c.total = c.total.saturating_sub(1);
            if let Some(n) = c.by_address.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    c.by_address.remove(&self.ip);
                }
            }
        }
    }
}

impl<S> Accept<TcpStream, S> for Gate {
    type Stream = Guarded;
    type Service = S;
    type Future = Ready<io::Result<(Guarded, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let place = stream.peer_addr().ok().and_then(|a| self.enter(a.ip()));
        ready(match place {
            Some(place) => Ok((
                Guarded {
                    inner: stream,
                    place,
                    idle: self.limits.idle,
                    timer: Box::pin(tokio::time::sleep(self.limits.idle)),
                },
                service,
            )),
            None => {
                tracing::warn!(peer = ?stream.peer_addr().ok(), "connection refused: connection limit reached");
                Err(io::Error::other("connection limit reached"))
            }
        })
    }
}

/// A TCP stream that holds its place in the [`Gate`] and fails once idle too long.
pub(crate) struct Guarded {
    inner: TcpStream,
    place: Place,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl Guarded {
    /// The client's address.
    pub(crate) fn ip(&self) -> IpAddr {
        self.place.ip
    }

    fn progressed(&mut self) {
        let at = Instant::now() + self.idle;
        self.timer.as_mut().reset(at);
    }

    fn idle_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        self.timer.as_mut().poll(cx).map(|_| io::Error::new(io::ErrorKind::TimedOut, "connection idle too long"))
    }

    /// A write's outcome: bytes written are progress; a pending write counts toward idle.
    fn wrote(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match r {
            Poll::Ready(r) => {
                if matches!(r, Ok(n) if n > 0) {
                    self.progressed();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.idle_out(cx).map(Err),
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    self.progressed();
                }
                Poll::Ready(r)
            }
            Poll::Pending => self.idle_out(cx).map(Err),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        self.wrote(cx, r)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The time left for a request's body, shared between the body and the route: a route that
/// takes large uploads from an authenticated operator gives itself longer with
/// [`allow_slow_body`].
#[derive(Clone)]
pub struct BodyDeadline(Arc<Mutex<Instant>>);

/// Wraps every request body: once the deadline passes, reading it fails ("request body took
/// too long"), so a body sent a byte at a time cannot hold a connection forever.
pub(crate) async fn body_deadline(
    axum::extract::State(limit): axum::extract::State<Duration>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let deadline = BodyDeadline(Arc::new(Mutex::new(Instant::now() + limit)));
    req.extensions_mut().insert(deadline.clone());
    let req = req.map(|b| axum::body::Body::new(Timed { inner: b, deadline, timer: None }));
    next.run(req).await
}

/// The largest body read before the routes see it.
const SMALL_BODY: usize = 64 * 1024;

/// Whether a request's body is left to the route to read (larger than [`SMALL_BODY`], or of
/// unknown length).
pub(crate) fn unread_body(h: &axum::http::HeaderMap) -> bool {
    use axum::http::header;
    let length = h.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    match (length, h.contains_key(header::TRANSFER_ENCODING)) {
        (Some(n), false) => n > SMALL_BODY,
        (None, false) => false,
        _ => true,
    }
}

/// Reads a small body before the routes, so that whatever answers — a handler, or a refusal
/// or a path that did not parse before the body was looked at — the connection is left with
/// nothing unread. Answered with the body unread, the server closed the connection after the
/// answer, and a client reusing it from its pool meanwhile saw it cut without an answer
/// (schemathesis did, one request in a few hundred). Larger bodies stream to their routes.
pub(crate) async fn read_small_body(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    if unread_body(req.headers()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, SMALL_BODY).await {
        Ok(bytes) => next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(e) => crate::ApiError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "body",
            format!("the request body could not be read: {}", crate::error_chain(&e)),
        )
        .into_response(),
    }
}

/// A route layer giving the body `d` from now (large operator uploads).
pub async fn allow_slow_body(
    d: Duration,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(BodyDeadline(at)) = req.extensions().get::<BodyDeadline>()
        && let Ok(mut at) = at.lock()
    {
        *at = Instant::now() + d;
    }
    next.run(req).await
}

struct Timed {
    inner: axum::body::Body,
    deadline: BodyDeadline,
    timer: Option<Pin<Box<Sleep>>>,
}

impl http_body::Body for Timed {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let late = || {
            Poll::Ready(Some(Err(axum::Error::new(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request body took too long to arrive",
            )))))
        };
        let at = self.deadline.0.lock().map(|a| *a).unwrap_or_else(|_| Instant::now());
        // Checked before every frame (a body dribbled a byte at a time is always ready), and
        // by a timer while none arrives.
        if Instant::now() >= at {
            return late();
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Pending => {
                let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
                if timer.deadline() != at {
                    timer.as_mut().reset(at);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => late(),
                    Poll::Pending => Poll::Pending,
                }
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
