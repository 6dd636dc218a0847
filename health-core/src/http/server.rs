//! A standalone listener (hyper 1.x) for applications on other stacks, or
//! for health on a port of its own.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;

use super::HealthHttp;
use crate::health::Registry;
use crate::held::{Answering, Held};
use crate::shutdown::drained;

/// A bound health listener; [`HttpServer::run`] serves it until shutdown.
///
/// ```no_run
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let health = health_core::Health::builder(()).build()?;
/// // Public probes on :8080; the deep endpoint on loopback only.
/// let public = health.http().bind("0.0.0.0:8080".parse()?).await?;
/// let admin = health.http().bind_admin("127.0.0.1:8372".parse()?).await?;
/// println!("health on {} (admin {})", public.local_addr(), admin.local_addr());
/// tokio::try_join!(public.run(), admin.run())?;
/// # Ok(()) }
/// ```
pub struct HttpServer {
    http: Arc<HealthHttp>,
    listener: TcpListener,
    local_addr: SocketAddr,
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer")
            .field("local_addr", &self.local_addr)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl HealthHttp {
    /// How long a client of the hyper listener may take to send a request
    /// head, counted from when the connection opens or the previous answer
    /// was written; then the connection is closed. Idle and half-sent
    /// connections (slowloris) hold a slot no longer than this.
    pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
    /// How long one write of the hyper listener may wait for a client that
    /// does not read; then the connection is closed.
    pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

    /// Binds a listener serving the probes (and the deep endpoint only with
    /// the bearer token). SIGTERM/SIGINT are listened to once [`HttpServer::run`]
    /// is polled (unless [`HealthHttp::handle_signals`] says otherwise).
    ///
    /// Limits (`docs/design.md`, "Limits and access"): at most
    /// [`HealthHttp::max_connections`] connections, the oldest one still
    /// waiting for its request head closed to make room for a new one;
    /// [`HealthHttp::HEADER_READ_TIMEOUT`], [`HealthHttp::WRITE_TIMEOUT`];
    /// shutdown bounded by the drain delay plus [`HealthHttp::shutdown_grace`].
    pub async fn bind(self, addr: SocketAddr) -> io::Result<HttpServer> {
        self.listen(TcpListener::bind(addr).await?)
    }

    /// Serves on `listener` (bound by [`HealthHttp::bind`] or
    /// [`HealthHttp::bind_admin`]).
    fn listen(self, listener: TcpListener) -> io::Result<HttpServer> {
        let local_addr = listener.local_addr()?;
        Ok(HttpServer {
            http: Arc::new(self),
            listener,
            local_addr,
        })
    }

    /// Binds an admin listener, which also serves the deep endpoint and
    /// metrics without a token (a configured token is still required).
    /// Refuses addresses that are not loopback: diagnostics are never public
    /// by default. It answers only requests naming it by a loopback name
    /// and its port (`Host: localhost:<port>`, `127.0.0.1:<port>` or
    /// `[::1]:<port>`); any other gets 421 with no body, so a web page
    /// cannot read it through DNS rebinding.
    pub async fn bind_admin(mut self, addr: SocketAddr) -> io::Result<HttpServer> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the admin listener serves diagnostics and binds to loopback only, not {addr}; use 127.0.0.1 or [::1], or a public listener with a deep token"),
            ));
        }
        let listener = TcpListener::bind(addr).await?;
        self.admin_port = Some(listener.local_addr()?.port());
        self.listen(listener)
    }
}

impl Registry {
    /// Serves the probes on `addr` with the defaults of [`Registry::http`](crate::Registry::http),
    /// until shutdown (SIGTERM/SIGINT or [`Registry::begin_shutdown`](crate::Registry::begin_shutdown)) and the
    /// drain delay passed.
    pub async fn serve(&self, addr: SocketAddr) -> io::Result<()> {
        self.http().bind(addr).await?.run().await
    }
}

impl HttpServer {
    /// The address bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until shutdown: once it begins, readiness answers
    /// `shutting_down` while the listener keeps serving for the drain delay;
    /// then it stops accepting and waits for in-flight requests, at most
    /// [`HealthHttp::shutdown_grace`], and closes what is left.
    pub async fn run(self) -> io::Result<()> {
        let HttpServer {
            http,
            listener,
            local_addr,
        } = self;
        let mut held = Held::new(http.max_connections);
        let graceful = GracefulShutdown::new();
        let stop = drained(&http.health, http.handle_signals, http.drain_delay);
        tokio::pin!(stop);
        tracing::info!(%local_addr, "health listener serving");
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        if !held.make_room() {
                            // Every connection is in the middle of a request.
                            tracing::debug!("health listener full: connection refused");
                            continue;
                        }
                        let busy = Arc::new(AtomicUsize::new(0));
                        let requests = Arc::clone(&busy);
                        let http = Arc::clone(&http);
                        let service = service_fn(move |request: Request<Incoming>| {
                            let answering = Answering::new(&requests);
                            let (head, _body) = request.into_parts();
                            let answer = http.answer_future(http.route(&head));
                            async move {
                                let response = answer.await;
                                drop(answering);
                                response
                            }
                        });
                        let io = WriteTimeout::new(stream, HealthHttp::WRITE_TIMEOUT);
                        let connection = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HealthHttp::HEADER_READ_TIMEOUT)
                            .serve_connection(TokioIo::new(io), service);
                        let connection = graceful.watch(connection);
                        held.hold(busy, |leave| {
                            let task = tokio::spawn(async move {
                                let _leave = leave;
                                if let Err(e) = connection.await {
                                    tracing::debug!("health connection ended: {e}");
                                }
                            });
                            let task = task.abort_handle();
                            ((), Box::new(move || task.abort()))
                        });
                    }
                    // Out of descriptors or a connection reset before accept:
                    // keep serving the others.
                    Err(e) => {
                        tracing::warn!("health listener cannot accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut stop => break,
            }
        }
        drop(listener);
        let grace = http.shutdown_grace;
        if tokio::time::timeout(grace, graceful.shutdown()).await.is_err() {
            tracing::warn!("health listener closed connections still open after the {grace:?} grace");
        }
        held.close_all();
        tracing::info!(%local_addr, "health listener stopped");
        Ok(())
    }
}

/// A TCP stream whose writes fail once the peer has read nothing for
/// `limit`: a client that never reads cannot hold a connection.
struct WriteTimeout {
    stream: TcpStream,
    limit: Duration,
    /// Armed while a write waits for the peer.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl WriteTimeout {
    fn new(stream: TcpStream, limit: Duration) -> WriteTimeout {
        WriteTimeout {
            stream,
            limit,
            stalled: None,
        }
    }

    /// Runs a write-side operation, failing it with `TimedOut` once it has
    /// been pending for `limit`.
    fn guard<T>(
        &mut self,
        cx: &mut Context<'_>,
        operation: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if let Poll::Ready(done) = operation(Pin::new(&mut self.stream), cx) {
            self.stalled = None;
            return Poll::Ready(done);
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client read nothing for {limit:?}"),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for WriteTimeout {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteTimeout {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.guard(cx, |stream, cx| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.guard(cx, |stream, cx| stream.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.guard(cx, AsyncWrite::poll_flush)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.guard(cx, AsyncWrite::poll_shutdown)
    }
}
