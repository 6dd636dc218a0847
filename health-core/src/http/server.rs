//! A standalone listener (hyper 1.x) for applications on other stacks, or
//! for health on a port of its own.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use super::HealthHttp;
use crate::shutdown::{drained, TerminationSignals};
use crate::Health;

/// How long a client may take to send its request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long in-flight requests may take to finish once draining is over.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// A bound health listener; [`HealthServer::run`] serves it until shutdown.
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
pub struct HealthServer<S> {
    http: Arc<HealthHttp<S>>,
    listener: TcpListener,
    local_addr: SocketAddr,
    signals: TerminationSignals,
}

impl<S> std::fmt::Debug for HealthServer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthServer")
            .field("local_addr", &self.local_addr)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> HealthHttp<S> {
    /// Binds a listener serving the probes (and the deep endpoint only with
    /// the bearer token). SIGTERM/SIGINT handlers are registered here.
    pub async fn bind(self, addr: SocketAddr) -> io::Result<HealthServer<S>> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let signals = TerminationSignals::register(self.handle_signals);
        Ok(HealthServer {
            http: Arc::new(self),
            listener,
            local_addr,
            signals,
        })
    }

    /// Binds an admin listener, which also serves the deep endpoint without
    /// a token (a configured token is still required). Refuses addresses
    /// that are not loopback: diagnostics are never public by default.
    pub async fn bind_admin(mut self, addr: SocketAddr) -> io::Result<HealthServer<S>> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the admin listener serves diagnostics and binds to loopback only, not {addr}; use 127.0.0.1 or [::1], or a public listener with a deep token"),
            ));
        }
        self.admin_listener = true;
        self.bind(addr).await
    }
}

impl<S: Send + Sync + 'static> Health<S> {
    /// Serves the probes on `addr` with the defaults of [`Health::http`],
    /// until shutdown (SIGTERM/SIGINT or [`Health::begin_shutdown`]) and the
    /// drain delay passed.
    pub async fn serve(&self, addr: SocketAddr) -> io::Result<()> {
        self.http().bind(addr).await?.run().await
    }
}

impl<S: Send + Sync + 'static> HealthServer<S> {
    /// The address bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until shutdown: once it begins, readiness answers
    /// `shutting_down` while the listener keeps serving for the drain delay;
    /// then it stops accepting and waits for in-flight requests.
    pub async fn run(self) -> io::Result<()> {
        let HealthServer {
            http,
            listener,
            local_addr,
            signals,
        } = self;
        let connections = GracefulShutdown::new();
        let stop = drained(&http.health, signals, http.drain_delay);
        tokio::pin!(stop);
        tracing::info!(%local_addr, "health listener serving");
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        let http = Arc::clone(&http);
                        let service = service_fn(move |request: Request<Incoming>| {
                            let http = Arc::clone(&http);
                            async move {
                                let (head, _body) = request.into_parts();
                                Ok::<_, Infallible>(http.respond(&head).await)
                            }
                        });
                        let connection = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_READ_TIMEOUT)
                            .serve_connection(TokioIo::new(stream), service);
                        let connection = connections.watch(connection);
                        tokio::spawn(async move {
                            if let Err(e) = connection.await {
                                tracing::debug!("health connection ended: {e}");
                            }
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
        if tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("health listener stopped with requests still in flight after {SHUTDOWN_GRACE:?}");
        }
        tracing::info!(%local_addr, "health listener stopped");
        Ok(())
    }
}
