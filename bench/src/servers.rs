//! Each variant of the load benchmark ([`Variant`]) served on a loopback
//! listener, and the control listener that reports its dependency calls.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::Response as AxumResponse;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use health_core::{BuildError, Health};
use http::request::Parts;
use metrics_exporter_prometheus::PrometheusBuilder;
use tokio::net::TcpListener;
use tokio::time::timeout;

use crate::by_hand::{fixed, fold_to_axum, serve_fn};
use crate::peers;
use crate::pings::{ping_broker, ping_cache, ping_db, Blackhole, Churn, Pings, PING_DEADLINE};
use crate::variant::{Calls, Serving, Variant, READY_PATH};

/// The body of the static baseline: what our readiness endpoint answers
/// over the three pings, byte for byte.
pub const STATIC_BODY: &[u8] = br#"{"status":"ready","critical":{"ping_broker":{"status":"pass"},"ping_db":{"status":"pass"}},"degraded":{"ping_cache":{"status":"pass"}}}"#;

/// The largest deadline and the shortest interval of a variant's checks.
type Timing = (Option<Duration>, Option<Duration>);

/// A variant serving on its listener.
pub struct Running {
    /// The variant.
    pub variant: Variant,
    /// Where it answers.
    pub addr: SocketAddr,
    /// The largest deadline of its checks (none for the static baseline).
    pub deadline: Option<Duration>,
    /// The shortest interval of its checks (none unless it is ours).
    pub interval: Option<Duration>,
    calls: Calls,
    /// The serving task; it ends only on an I/O error of the listener.
    pub serving: Serving,
}

impl Running {
    /// Dependency calls made so far.
    pub fn calls(&self) -> u64 {
        (self.calls)()
    }

    /// A control listener on `addr` answering `GET /calls` with the
    /// dependency calls made so far (plain decimal), and 404 elsewhere.
    pub async fn control(&self, addr: SocketAddr) -> io::Result<(SocketAddr, Serving)> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let calls = Arc::clone(&self.calls);
        let serving = tokio::spawn(serve_fn(listener, None, move |head: &Parts| match head.uri.path() {
            "/calls" => fixed(http::StatusCode::OK, "text/plain", calls().to_string().into()),
            _ => fixed(
                http::StatusCode::NOT_FOUND,
                "text/plain",
                Bytes::from_static(b"not found"),
            ),
        }));
        Ok((local, serving))
    }
}

/// Binds `addr` and serves `variant` on it (in a task of the current runtime).
pub async fn spawn(variant: Variant, addr: SocketAddr) -> Result<Running, SpawnError> {
    let running = |addr: SocketAddr, (deadline, interval): Timing, calls: Calls, serving: Serving| Running {
        variant,
        addr,
        deadline,
        interval,
        calls,
        serving,
    };
    Ok(match variant {
        Variant::Static | Variant::StaticTimer => {
            let listener = TcpListener::bind(addr).await?;
            let addr = listener.local_addr()?;
            let timeout = (variant == Variant::StaticTimer).then_some(HEADER_READ_TIMEOUT);
            let serving = tokio::spawn(serve_fn(listener, timeout, |_: &Parts| {
                fixed(
                    http::StatusCode::OK,
                    "application/json",
                    Bytes::from_static(STATIC_BODY),
                )
            }));
            running(addr, (None, None), Arc::new(|| 0), serving)
        }
        Variant::NaiveJoin | Variant::NaiveSeq => {
            let listener = TcpListener::bind(addr).await?;
            let addr = listener.local_addr()?;
            let pings = Arc::new(Pings::default());
            let handler = if variant == Variant::NaiveJoin {
                get(naive_join)
            } else {
                get(naive_sequential)
            };
            let app = Router::new().route(READY_PATH, handler).with_state(Arc::clone(&pings));
            let serving = tokio::spawn(async move { axum::serve(listener, app).await });
            running(
                addr,
                (Some(PING_DEADLINE), None),
                Arc::new(move || pings.calls()),
                serving,
            )
        }
        Variant::Cached | Variant::Background | Variant::BackgroundMetrics => {
            if variant == Variant::BackgroundMetrics {
                // Before the registry: it registers its metrics when built.
                PrometheusBuilder::new().install_recorder()?;
            }
            let builder = Health::builder(Pings::default());
            let health = match variant {
                Variant::Cached => builder.build()?,
                _ => builder.background().build()?,
            };
            let server = health.http().handle_signals(false).bind(addr).await?;
            let (addr, timing) = (server.local_addr(), timing(&health));
            let serving = tokio::spawn(server.run());
            running(addr, timing, Arc::new(move || health.state().calls()), serving)
        }
        Variant::BackgroundAxum => {
            let listener = TcpListener::bind(addr).await?;
            let addr = listener.local_addr()?;
            let health = Health::builder(Pings::default()).background().build()?;
            let app: Router = health.http().router();
            let serving = tokio::spawn(async move { axum::serve(listener, app).await });
            let timing = timing(&health);
            running(addr, timing, Arc::new(move || health.state().calls()), serving)
        }
        Variant::Soak => {
            let health = Health::builder(Churn::default()).background().build()?;
            let server = health.http().handle_signals(false).bind(addr).await?;
            let (addr, timing) = (server.local_addr(), timing(&health));
            let serving = tokio::spawn(server.run());
            running(addr, timing, Arc::new(move || health.state().calls()), serving)
        }
        Variant::Blackhole => {
            let health = Health::builder(Blackhole::default()).build()?;
            let server = health.http().handle_signals(false).bind(addr).await?;
            let (addr, timing) = (server.local_addr(), timing(&health));
            let serving = tokio::spawn(server.run());
            running(addr, timing, Arc::new(move || health.state().calls()), serving)
        }
        Variant::PeerAxumHealth
        | Variant::PeerHealth
        | Variant::PeerAxumHealthBlackhole
        | Variant::PeerHealthBlackhole => {
            let listener = TcpListener::bind(addr).await?;
            let addr = listener.local_addr()?;
            let (serving, interval, calls) = peers::serve(variant, listener);
            running(addr, (None, interval), calls, serving)
        }
    })
}

/// The largest deadline and the shortest interval of a registry's checks.
fn timing<S: Send + Sync + 'static>(health: &Health<S>) -> Timing {
    (
        health.checks().map(|spec| spec.timeout).max(),
        health.checks().map(|spec| spec.interval).min(),
    )
}

/// Why a variant could not start.
#[derive(Debug)]
pub enum SpawnError {
    /// Binding or serving failed.
    Io(io::Error),
    /// The health registry refused its checks.
    Build(BuildError),
    /// The metrics exporter could not be installed.
    Metrics(metrics_exporter_prometheus::BuildError),
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Io(e) => write!(f, "cannot serve: {e}"),
            SpawnError::Build(e) => write!(f, "cannot build the registry: {e}"),
            SpawnError::Metrics(e) => write!(f, "cannot install the metrics exporter: {e}"),
        }
    }
}

impl std::error::Error for SpawnError {}

impl From<io::Error> for SpawnError {
    fn from(e: io::Error) -> Self {
        SpawnError::Io(e)
    }
}

impl From<metrics_exporter_prometheus::BuildError> for SpawnError {
    fn from(e: metrics_exporter_prometheus::BuildError) -> Self {
        SpawnError::Metrics(e)
    }
}

impl From<BuildError> for SpawnError {
    fn from(e: BuildError) -> Self {
        SpawnError::Build(e)
    }
}

/// What people write by hand: the three pings concurrently, each under a
/// timeout, folded into 200/503 JSON.
async fn naive_join(State(pings): State<Arc<Pings>>) -> AxumResponse {
    let (db, broker, cache) = tokio::join!(
        timeout(PING_DEADLINE, ping_db(&pings)),
        timeout(PING_DEADLINE, ping_broker(&pings)),
        timeout(PING_DEADLINE, ping_cache(&pings)),
    );
    fold_to_axum([
        ("ping_db", true, matches!(db, Ok(Ok(())))),
        ("ping_broker", true, matches!(broker, Ok(Ok(())))),
        ("ping_cache", false, matches!(cache, Ok(Ok(())))),
    ])
}

/// The same, one ping after the other.
async fn naive_sequential(State(pings): State<Arc<Pings>>) -> AxumResponse {
    let db = timeout(PING_DEADLINE, ping_db(&pings)).await;
    let broker = timeout(PING_DEADLINE, ping_broker(&pings)).await;
    let cache = timeout(PING_DEADLINE, ping_cache(&pings)).await;
    fold_to_axum([
        ("ping_db", true, matches!(db, Ok(Ok(())))),
        ("ping_broker", true, matches!(broker, Ok(Ok(())))),
        ("ping_cache", false, matches!(cache, Ok(Ok(())))),
    ])
}

/// The header-read timeout of `health-core`'s listener.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
