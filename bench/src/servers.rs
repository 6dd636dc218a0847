//! The variants of the load benchmark, each served on a loopback listener,
//! and the control listener that reports their dependency calls.

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use health_core::{BuildError, Health};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::request::Parts;
use http::Response;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics_exporter_prometheus::PrometheusBuilder;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use crate::peers;
use crate::pings::{ping_broker, ping_cache, ping_db, Blackhole, Churn, Pings, PING_DEADLINE};

/// The readiness path every variant but the static one answers on.
pub const READY_PATH: &str = "/health/ready";

/// The body of the static baseline: what our readiness endpoint answers
/// over the three pings, byte for byte.
pub const STATIC_BODY: &[u8] = br#"{"status":"ready","critical":{"ping_broker":{"status":"pass"},"ping_db":{"status":"pass"}},"degraded":{"ping_cache":{"status":"pass"}}}"#;

/// Reads a variant's dependency call counter.
pub(crate) type Calls = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The largest deadline and the shortest interval of a variant's checks.
type Timing = (Option<Duration>, Option<Duration>);

/// A serving task.
pub(crate) type Serving = JoinHandle<io::Result<()>>;

/// One server of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// A minimal hyper 1.x server answering every request with a fixed
    /// small JSON body: the floor of what HTTP costs here.
    Static,
    /// The same, with the header-read timeout that `health-core`'s listener
    /// configures (`.timer(TokioTimer)`, `.header_read_timeout(10s)`): what
    /// that protection costs per request.
    StaticTimer,
    /// A hand-written axum readiness handler running the three pings
    /// concurrently (`tokio::join!`), each under `tokio::time::timeout`.
    NaiveJoin,
    /// The same handler awaiting the three pings one after the other.
    NaiveSeq,
    /// Our readiness endpoint (hyper listener of `health-core`), on-demand
    /// mode: results cached for the interval, concurrent probes share a run.
    Cached,
    /// Our readiness endpoint (hyper listener), background mode: probes only
    /// read the snapshot.
    Background,
    /// Our readiness endpoint in background mode, served by the axum router
    /// of `health-core` (same stack as the hand-written handlers).
    BackgroundAxum,
    /// `Background` with the `metrics` feature recording into an installed
    /// Prometheus exporter (`metrics-exporter-prometheus`): what metrics
    /// cost the probes.
    BackgroundMetrics,
    /// Our readiness endpoint in background mode over checks run every
    /// 10 ms, one flapping: the memory soak, with every history full.
    Soak,
    /// Our readiness endpoint, on-demand mode, over a dependency that never
    /// answers (50 ms deadline).
    Blackhole,
    /// Peer: axum-health's layer and handler over the three pings.
    PeerAxumHealth,
    /// Peer: the `health` crate's periodic checkers over the three pings,
    /// served by the minimal hyper server.
    PeerHealth,
    /// Peer: axum-health over the blackholed dependency.
    PeerAxumHealthBlackhole,
    /// Peer: the `health` crate over the blackholed dependency.
    PeerHealthBlackhole,
}

impl Variant {
    /// Every variant, in the order of the report.
    pub const ALL: [Variant; 14] = [
        Variant::Static,
        Variant::StaticTimer,
        Variant::NaiveJoin,
        Variant::NaiveSeq,
        Variant::Cached,
        Variant::Background,
        Variant::BackgroundAxum,
        Variant::BackgroundMetrics,
        Variant::Soak,
        Variant::Blackhole,
        Variant::PeerAxumHealth,
        Variant::PeerHealth,
        Variant::PeerAxumHealthBlackhole,
        Variant::PeerHealthBlackhole,
    ];

    /// The name on the command line and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Variant::Static => "static",
            Variant::StaticTimer => "static-timer",
            Variant::NaiveJoin => "naive-join",
            Variant::NaiveSeq => "naive-seq",
            Variant::Cached => "cached",
            Variant::Background => "background",
            Variant::BackgroundAxum => "background-axum",
            Variant::BackgroundMetrics => "background-metrics",
            Variant::Soak => "soak",
            Variant::Blackhole => "blackhole",
            Variant::PeerAxumHealth => "peer-axum-health",
            Variant::PeerHealth => "peer-health",
            Variant::PeerAxumHealthBlackhole => "peer-axum-health-blackhole",
            Variant::PeerHealthBlackhole => "peer-health-blackhole",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(name: &str) -> Result<Variant, String> {
        Variant::ALL.into_iter().find(|v| v.name() == name).ok_or_else(|| {
            let names: Vec<_> = Variant::ALL.iter().map(|v| v.name()).collect();
            format!("unknown variant `{name}`; expected one of {}", names.join(", "))
        })
    }
}

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
    fold_by_hand([
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
    fold_by_hand([
        ("ping_db", true, matches!(db, Ok(Ok(())))),
        ("ping_broker", true, matches!(broker, Ok(Ok(())))),
        ("ping_cache", false, matches!(cache, Ok(Ok(())))),
    ])
}

/// `(name, critical, passed)` of each check folded into the readiness body
/// of the HTTP contract: 503 `not_ready` if a critical check failed, else 200
/// `degraded` or `ready`.
fn fold(checks: impl IntoIterator<Item = (&'static str, bool, bool)>) -> (StatusCode, Value) {
    let entry = |passed: bool| {
        if passed {
            json!({"status": "pass"})
        } else {
            json!({"status": "fail", "reason": "error"})
        }
    };
    let (mut critical, mut degraded) = (Map::new(), Map::new());
    for (name, is_critical, passed) in checks {
        let group = if is_critical { &mut critical } else { &mut degraded };
        group.insert(name.to_owned(), entry(passed));
    }
    let failing = |group: &Map<String, Value>| group.values().any(|v| v["status"] != "pass");
    let (code, status) = if failing(&critical) {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    } else if failing(&degraded) {
        (StatusCode::OK, "degraded")
    } else {
        (StatusCode::OK, "ready")
    };
    (
        code,
        json!({"status": status, "critical": critical, "degraded": degraded}),
    )
}

/// [`fold`] as an axum response.
fn fold_by_hand(checks: [(&'static str, bool, bool); 3]) -> AxumResponse {
    let (code, body) = fold(checks);
    (code, Json(body)).into_response()
}

/// [`fold`] as a hyper response (for handlers on [`serve_fn`]).
pub(crate) fn fold_to_json(checks: impl IntoIterator<Item = (&'static str, bool, bool)>) -> Response<Full<Bytes>> {
    let (code, body) = fold(checks);
    fixed(code, "application/json", body.to_string().into())
}

/// A response with a fixed body.
fn fixed(status: http::StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The header-read timeout of `health-core`'s listener.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A minimal hyper 1.x HTTP/1.1 server: every request is answered by
/// `answer(head)`, synchronously; with `header_read_timeout`, hyper times
/// the reading of each request head on a tokio timer.
pub async fn serve_fn<F>(listener: TcpListener, header_read_timeout: Option<Duration>, answer: F) -> io::Result<()>
where
    F: Fn(&Parts) -> Response<Full<Bytes>> + Send + Sync + 'static,
{
    let answer = Arc::new(answer);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let answer = Arc::clone(&answer);
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<Incoming>| {
                let response = answer(&request.into_parts().0);
                async move { Ok::<_, Infallible>(response) }
            });
            let mut builder = http1::Builder::new();
            if let Some(timeout) = header_read_timeout {
                builder.timer(TokioTimer::new()).header_read_timeout(timeout);
            }
            // A client that goes away mid-request is not the server's failure.
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
