//! What one client, or many, may hold of the gRPC health service: on by
//! default (docs/design.md, "Limits and access").

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::{Stream, StreamExt};
use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tonic::body::Body;
use tonic::codegen::{http, Bytes, Service};
use tonic::transport::server::{Connected, TcpConnectInfo, TcpIncoming};
use tonic::transport::Server;

use crate::held::{Answering, Busy, Close, Held, Leave};

/// The resource limits of the gRPC health service. Every field has a
/// default meant for a health port (a few orchestrator and mesh clients, a
/// handful of `Watch` streams each); change the fields you need. Durations
/// longer than [`GrpcLimits::LONGEST`] are read as it (a timer further away
/// would overflow the clock):
///
/// ```
/// use std::time::Duration;
/// use health_core::grpc::GrpcLimits;
///
/// let mut limits = GrpcLimits::default();
/// limits.max_watch_streams = 4096;
/// limits.shutdown_grace = Duration::from_secs(5);
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrpcLimits {
    /// HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS`: calls open at once on one
    /// connection (default 32; tonic's default is unlimited). A client
    /// asking for more waits for a stream to end.
    pub max_concurrent_streams: u32,
    /// `Watch` streams open at once over all connections (default 1024,
    /// about 6.5 MiB); past it `Watch` answers `RESOURCE_EXHAUSTED`.
    pub max_watch_streams: usize,
    /// Connections open at once (default 256). At the cap, a new connection
    /// closes the oldest one with no open stream (still sending its preface,
    /// or idle between calls), as the HTTP listener does; when every
    /// connection has a call open (a `Watch`, say), the new one is closed as
    /// soon as it is accepted. A connection's open streams are counted from
    /// outside tonic: its IO wrapper hands a counter to tonic's connect info,
    /// and a layer on the service counts each call until its response body
    /// ends. So silent connections cannot lock a new probe client out. Only
    /// [`GrpcServer`](super::GrpcServer) has it.
    pub max_connections: usize,
    /// How long a new connection may take to send the HTTP/2 connection
    /// preface before it is closed (default 10 s), so silent connections
    /// do not hold places for long even below the cap. Only [`GrpcServer`](super::GrpcServer)
    /// has it.
    pub handshake_timeout: Duration,
    /// How often an HTTP/2 PING is sent on every connection (default 20 s)...
    pub http2_keepalive_interval: Duration,
    /// ...and how long its acknowledgement may take before the connection
    /// and its streams are dropped (default 10 s): a dead peer's `Watch`
    /// streams are reaped within interval + timeout.
    pub http2_keepalive_timeout: Duration,
    /// TCP keepalive idle time (default 60 s): the kernel probes silent
    /// connections too.
    pub tcp_keepalive: Duration,
    /// The largest request message (default 4 KiB; a request is one service
    /// name of at most 64 bytes). Larger ones answer `OUT_OF_RANGE`, unread
    /// ([`HealthGrpc::into_service`](super::HealthGrpc::into_service) sets it wherever
    /// the service is mounted).
    pub max_request_bytes: usize,
    /// The largest request header block (default 16 KiB).
    pub max_header_bytes: u32,
    /// How long [`GrpcServer::run`](super::GrpcServer::run) waits, after the
    /// drain delay, for calls in flight to end before it returns anyway
    /// (default 30 s, like the HTTP listener's).
    pub shutdown_grace: Duration,
}

/// `duration`, at most [`GrpcLimits::LONGEST`].
pub(super) fn bounded(duration: Duration) -> Duration {
    duration.min(GrpcLimits::LONGEST)
}

impl Default for GrpcLimits {
    fn default() -> Self {
        GrpcLimits {
            max_concurrent_streams: 32,
            max_watch_streams: 1024,
            max_connections: 256,
            handshake_timeout: Duration::from_secs(10),
            http2_keepalive_interval: Duration::from_secs(20),
            http2_keepalive_timeout: Duration::from_secs(10),
            tcp_keepalive: Duration::from_secs(60),
            max_request_bytes: 4 * 1024,
            max_header_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl GrpcLimits {
    /// The longest duration a limit takes (365 days); longer ones, up to
    /// `Duration::MAX`, are read as this.
    pub const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

    /// A tonic `Server::builder()` with these limits, for a server of your
    /// own: streams per connection, HTTP/2 and TCP keepalive, header size.
    /// (With `serve_with_incoming`, tonic ignores its TCP keepalive: set it
    /// on the `TcpIncoming`.)
    pub fn server(&self) -> Server {
        Server::builder()
            .max_concurrent_streams(self.max_concurrent_streams)
            .http2_keepalive_interval(Some(bounded(self.http2_keepalive_interval)))
            .http2_keepalive_timeout(Some(bounded(self.http2_keepalive_timeout)))
            .tcp_keepalive(Some(bounded(self.tcp_keepalive)))
            .http2_max_header_list_size(self.max_header_bytes)
    }

    /// The connections of `incoming`, at most [`GrpcLimits::max_connections`]
    /// at once: at the cap, the oldest connection with no open stream is
    /// closed to make room, or the new one when every one has streams open.
    /// Each is closed unless it sends the HTTP/2 preface within
    /// [`GrpcLimits::handshake_timeout`]. Serve them with
    /// [`CountStreams`] layered on the service, which counts their streams.
    pub(super) fn incoming(
        &self,
        incoming: TcpIncoming,
    ) -> impl Stream<Item = io::Result<LimitedConnection>> + Send + 'static {
        let mut held = Held::new(self.max_connections);
        let max = self.max_connections;
        let handshake_timeout = bounded(self.handshake_timeout);
        let incoming = incoming.with_keepalive(Some(bounded(self.tcp_keepalive)));
        incoming.filter_map(move |accepted| {
            let limited = match accepted {
                Ok(stream) if held.make_room() => {
                    let busy = Busy::default();
                    let closed = Arc::new(Closed::default());
                    let info = GrpcConnectInfo {
                        tcp: stream.connect_info(),
                        busy: Arc::clone(&busy),
                    };
                    Some(Ok(held.hold(busy, |leave| {
                        let close = Arc::clone(&closed);
                        let connection = LimitedConnection {
                            stream,
                            info,
                            _leave: leave,
                            closed,
                            handshake: Some(Box::pin(tokio::time::sleep(handshake_timeout))),
                            preface_left: HTTP2_PREFACE_LEN,
                        };
                        (connection, Box::new(move || close.close()) as Close)
                    })))
                }
                Ok(_) => {
                    tracing::debug!("gRPC connection refused: {max} connections open, each with streams");
                    None
                }
                Err(e) => Some(Err(e)),
            };
            std::future::ready(limited)
        })
    }
}

/// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, the first bytes of every HTTP/2 connection.
const HTTP2_PREFACE_LEN: usize = 24;

/// An accepted connection, holding its place under the connection cap until
/// it is dropped, timed out if its preface does not come in time, and
/// closed (its reads fail) when evicted to make room.
pub(super) struct LimitedConnection {
    stream: TcpStream,
    info: GrpcConnectInfo,
    _leave: Leave,
    closed: Arc<Closed>,
    /// Until the preface was read: when the connection is closed.
    handshake: Option<Pin<Box<Sleep>>>,
    preface_left: usize,
}

/// Whether a connection was evicted, and the task to wake to close it.
#[derive(Default)]
struct Closed {
    closed: AtomicBool,
    reader: AtomicWaker,
}

impl Closed {
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.reader.wake();
    }
}

/// What tonic puts in every request's extensions for a [`LimitedConnection`]:
/// the peer, and the count of the connection's open streams.
#[derive(Debug, Clone)]
pub(super) struct GrpcConnectInfo {
    tcp: TcpConnectInfo,
    busy: Busy,
}

impl Connected for LimitedConnection {
    type ConnectInfo = GrpcConnectInfo;

    fn connect_info(&self) -> GrpcConnectInfo {
        self.info.clone()
    }
}

/// Counts each call, until its response body ends or is dropped, as an open
/// stream of the connection it came on (from [`GrpcConnectInfo`]), so that
/// connections with streams are not closed to make room.
#[derive(Debug, Clone)]
pub(super) struct CountStreams<S>(pub(super) S);

impl<S> Service<http::Request<Body>> for CountStreams<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        let info = request.extensions_mut().remove::<GrpcConnectInfo>();
        let answering = info.map(|info| {
            // Where tonic's `Request::remote_addr` looks for the peer.
            request.extensions_mut().insert(info.tcp);
            Answering::new(&info.busy)
        });
        let response = self.0.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| match answering {
                Some(answering) => Body::new(Counted {
                    body,
                    _answering: answering,
                }),
                None => body,
            }))
        })
    }
}

/// A response body counted as an open stream while it lives.
struct Counted {
    body: Body,
    _answering: Answering,
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, tonic::Status>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl AsyncRead for LimitedConnection {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // Registered before the flag is read: a close in between still wakes.
        this.closed.reader.register(cx.waker());
        if this.closed.closed.load(Ordering::Acquire) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "closed to make room for a new connection",
            )));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        let Some(deadline) = &mut this.handshake else {
            return polled;
        };
        match &polled {
            Poll::Ready(Ok(())) => {
                let read = buf.filled().len() - before;
                this.preface_left = this.preface_left.saturating_sub(read);
                // The preface came, or the peer closed: no deadline any more.
                if this.preface_left == 0 || read == 0 {
                    this.handshake = None;
                }
            }
            Poll::Ready(Err(_)) => this.handshake = None,
            Poll::Pending if deadline.as_mut().poll(cx).is_ready() => {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no HTTP/2 preface within the handshake timeout",
                )));
            }
            Poll::Pending => {}
        }
        polled
    }
}

impl AsyncWrite for LimitedConnection {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
