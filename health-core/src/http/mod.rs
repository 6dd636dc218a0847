//! Serving the probes over HTTP (`docs/design.md`, "HTTP contract"): `/health/live`,
//! `/health/ready`, `/health/startup` and a protected `/health/deep`.
//!
//! [`HealthHttp`] is the transport-independent handler (any stack can call
//! [`HealthHttp::respond`]). The adapters, each passing the same contract
//! suite over real sockets:
//!
//! | adapter | feature | mount |
//! |---|---|---|
//! | axum | `axum` | [`HealthHttp::router`], merged into an app |
//! | hyper listener | `server` | [`HealthHttp::bind`], [`HealthHttp::bind_admin`]: a port of its own |
//! | tower | `tower` | [`HealthHttp::into_service`] (any tower server, e.g. hyper-util), [`HealthHttp::layer`] in front of an app |
//! | actix-web | `actix` | [`HealthHttp::actix_configure`] in an `App`, served with [`HealthHttp::run_actix`] |
//!
//! All drain on shutdown: readiness flips to `shutting_down` first, the
//! listener keeps answering for the drain delay, then stops once in-flight
//! requests completed (with axum and hyper-util through
//! [`Registry::shutdown_signal`](crate::Registry::shutdown_signal)).
//!
//! The deep endpoint and `/metrics` are never public by default: they
//! answer 404 (like an unknown path, whatever the method) unless the request
//! carries the configured bearer token, or arrives on an admin listener
//! bound to loopback ([`HealthHttp::bind_admin`]), which answers only to
//! loopback names (`Host`).

mod access;
#[cfg(feature = "actix")]
mod actix;
mod bodies;
#[cfg(any(feature = "server", feature = "tower", feature = "axum"))]
mod future;
mod health_json;
mod html;
mod reply;
mod respond;
#[cfg(feature = "axum")]
mod router;
#[cfg(feature = "server")]
mod server;
#[cfg(feature = "tower")]
mod tower;

use std::sync::Arc;
use std::time::Duration;

pub use crate::token::{BearerToken, InvalidToken};
#[cfg(feature = "tower")]
pub use future::ResponseFuture;
pub use health_json::CONTENT_TYPE as HEALTH_JSON;
#[cfg(feature = "server")]
pub use server::HttpServer;
#[cfg(feature = "tower")]
pub use tower::{HealthLayer, HealthMiddleware, HealthService, MiddlewareFuture};

use crate::health::Registry;
use crate::model::probe::Probe;
use bodies::Rendered;

/// Where the endpoints answer: the defaults, changed one by one.
///
/// ```
/// use health_core::http::Paths;
///
/// let paths = Paths::default().live("/livez").ready("/readyz");
/// assert_eq!((paths.live.as_str(), paths.startup.as_str()), ("/livez", "/health/startup"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paths {
    /// Liveness, default `/health/live`.
    pub live: String,
    /// Readiness, default `/health/ready`.
    pub ready: String,
    /// Startup, default `/health/startup`.
    pub startup: String,
    /// Deep diagnostics, default `/health/deep`.
    pub deep: String,
    /// Metrics in the Prometheus text format, default `/metrics` (served
    /// only with [`HealthHttp::metrics`], behind the deep endpoint's door).
    pub metrics: String,
}

impl Paths {
    /// The deep endpoint's default path.
    pub const DEFAULT_DEEP: &'static str = "/health/deep";
    /// The metrics endpoint's default path.
    pub const DEFAULT_METRICS: &'static str = "/metrics";

    /// Liveness at `path`.
    pub fn live(mut self, path: impl Into<String>) -> Self {
        self.live = path.into();
        self
    }

    /// Readiness at `path`.
    pub fn ready(mut self, path: impl Into<String>) -> Self {
        self.ready = path.into();
        self
    }

    /// Startup at `path`.
    pub fn startup(mut self, path: impl Into<String>) -> Self {
        self.startup = path.into();
        self
    }

    /// The deep endpoint at `path`.
    pub fn deep(mut self, path: impl Into<String>) -> Self {
        self.deep = path.into();
        self
    }

    /// Metrics at `path`.
    pub fn metrics(mut self, path: impl Into<String>) -> Self {
        self.metrics = path.into();
        self
    }
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            live: Probe::Liveness.default_path().into(),
            ready: Probe::Readiness.default_path().into(),
            startup: Probe::Startup.default_path().into(),
            deep: Paths::DEFAULT_DEEP.into(),
            metrics: Paths::DEFAULT_METRICS.into(),
        }
    }
}

/// The HTTP face of a [`Registry`]: paths, deep-endpoint access, and
/// the drain delay of graceful shutdown. Made by [`Registry::http`](crate::Registry::http).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use health_core::Health;
///
/// let health = Health::builder(()).build()?;
/// let http = health
///     .http()
///     .deep_token("3f9a1c0e5b7d2a4c8e6f1b3d5a7c9e0f")?
///     .drain_delay(Duration::from_secs(10));
///
/// let request = http::Request::get("/health/ready").body(())?.into_parts().0;
/// let response = http.respond(&request).await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-type"], "application/json");
/// # Ok(()) }
/// ```
pub struct HealthHttp {
    health: Registry,
    paths: Arc<Paths>,
    deep_token: Option<BearerToken>,
    /// The port of the admin listener serving this, if it is one.
    admin_port: Option<u16>,
    drain_delay: Duration,
    shutdown_grace: Duration,
    max_connections: usize,
    handle_signals: bool,
    metrics: Option<RenderMetrics>,
    page_refresh: Option<Duration>,
    /// The probes' bodies, shared by every clone.
    rendered: Arc<Rendered>,
}

/// Renders the metrics text an exporter holds.
type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

impl Clone for HealthHttp {
    fn clone(&self) -> Self {
        HealthHttp {
            health: self.health.clone(),
            paths: Arc::clone(&self.paths),
            deep_token: self.deep_token.clone(),
            admin_port: self.admin_port,
            drain_delay: self.drain_delay,
            shutdown_grace: self.shutdown_grace,
            max_connections: self.max_connections,
            handle_signals: self.handle_signals,
            metrics: self.metrics.clone(),
            page_refresh: self.page_refresh,
            rendered: Arc::clone(&self.rendered),
        }
    }
}

impl std::fmt::Debug for HealthHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthHttp")
            .field("health", &self.health)
            .field("paths", &self.paths)
            .field("deep_token", &self.deep_token)
            .field("admin_port", &self.admin_port)
            .field("drain_delay", &self.drain_delay)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("max_connections", &self.max_connections)
            .field("handle_signals", &self.handle_signals)
            .field("metrics", &self.metrics.is_some())
            .field("page_refresh", &self.page_refresh)
            .finish()
    }
}

impl Registry {
    /// The HTTP face of this registry, with the default paths, no deep
    /// access, a 5 s drain delay and SIGTERM/SIGINT handled as the registry
    /// says ([`HealthBuilder::handle_signals`](crate::HealthBuilder::handle_signals)).
    pub fn http(&self) -> HealthHttp {
        HealthHttp {
            health: self.clone(),
            paths: Arc::new(Paths::default()),
            deep_token: None,
            admin_port: None,
            drain_delay: HealthHttp::DEFAULT_DRAIN_DELAY,
            shutdown_grace: HealthHttp::DEFAULT_SHUTDOWN_GRACE,
            max_connections: HealthHttp::DEFAULT_MAX_CONNECTIONS,
            handle_signals: self.handles_signals(),
            metrics: None,
            page_refresh: Some(HealthHttp::DEFAULT_PAGE_REFRESH),
            rendered: Arc::default(),
        }
    }
}

impl HealthHttp {
    /// How long a draining listener keeps answering after shutdown began.
    pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(5);
    /// How long requests in flight may take once the drain delay is over,
    /// by default, before the listener closes them (5 s: answers come
    /// within the checks' deadlines, at most a minute, and a client that
    /// does not read is cut off by the write timeout).
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
    /// How many connections the hyper listener holds at most, by default.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    /// How often the status page reloads itself by default.
    pub const DEFAULT_PAGE_REFRESH: Duration = Duration::from_secs(10);

    /// Serves the endpoints at other paths.
    pub fn paths(mut self, paths: Paths) -> Self {
        self.paths = Arc::new(paths);
        self
    }

    /// Serves the deep endpoint to requests with `Authorization: Bearer <token>`
    /// (others get 401). Refuses tokens shorter than [`BearerToken::MIN_LEN`],
    /// with whitespace around them or control characters ([`InvalidToken`]).
    pub fn deep_token(self, token: &str) -> Result<Self, InvalidToken> {
        Ok(self.deep_tokens(BearerToken::new(token)?))
    }

    /// Like [`HealthHttp::deep_token`] with the token(s) already validated,
    /// e.g. several during a rotation ([`BearerToken::any_of`]); give the
    /// same to [`Registry::grpc`](crate::Registry::grpc)'s `deep_tokens` so both protocols agree.
    pub fn deep_tokens(mut self, tokens: BearerToken) -> Self {
        self.deep_token = Some(tokens);
        self
    }

    /// How long listeners keep answering once shutdown began, so load
    /// balancers see `shutting_down` and stop routing before the port closes.
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// How long the listeners the library runs (the hyper listener,
    /// [`HealthHttp::run_actix`]) wait for requests in flight once the drain
    /// delay is over; then they close what is left, whatever clients do, so
    /// shutdown takes at most drain delay + grace.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// How many connections the hyper listener ([`HealthHttp::bind`]) holds
    /// at most (at least 1). At the cap, a new connection closes the oldest
    /// one that is not answering a request (idle, or still sending its
    /// head), so clients that open connections and send nothing cannot lock
    /// a probe out; when every one is answering, the new one is closed.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Whether this face's listeners begin shutdown on SIGTERM/SIGINT
    /// (default: as the registry says). Without, no handler is registered
    /// and shutdown begins only with [`Registry::begin_shutdown`](crate::Registry::begin_shutdown).
    pub fn handle_signals(mut self, handle: bool) -> Self {
        self.handle_signals = handle;
        self
    }

    /// Serves `GET /metrics` (see [`Paths::metrics`]) in the Prometheus text
    /// format, as `render` produces it: the application chooses the exporter
    /// and hands over its renderer, e.g. `metrics-exporter-prometheus`:
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let exporter = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    /// // After the recorder: see feature `metrics`.
    /// let health = health_core::Health::builder(()).build()?;
    /// let admin = health
    ///     .http()
    ///     .metrics(move || exporter.render())
    ///     .bind_admin("127.0.0.1:8372".parse()?)
    ///     .await?;
    /// admin.run().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// Metrics sit behind the same door as the deep endpoint: they answer
    /// on an admin listener ([`HealthHttp::bind_admin`]), or to requests with
    /// the bearer token ([`HealthHttp::deep_token`]); anywhere else their
    /// path answers every method like an unknown path (404), and the
    /// adapters that share a listener with an application do not mount it.
    pub fn metrics(mut self, render: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.metrics = Some(Arc::new(render));
        self
    }

    /// How often the status page (`/health/deep` in a browser) reloads
    /// itself; `None` for never.
    pub fn page_refresh(mut self, every: Option<Duration>) -> Self {
        self.page_refresh = every;
        self
    }

    /// The registry answering.
    pub fn health(&self) -> &Registry {
        &self.health
    }

    /// Whether the deep endpoint (and `/metrics`) can be reached at all: a
    /// token opens it, and so does an admin listener.
    #[cfg(any(feature = "axum", feature = "tower", feature = "actix"))]
    fn deep_open(&self) -> bool {
        self.deep_token.is_some() || self.admin_port.is_some()
    }

    /// The paths an adapter that shares its listener with an application
    /// claims: the probes; the deep endpoint unless it is hidden (no token,
    /// no admin listener), so that it then answers exactly like the
    /// application's own unknown paths; `/metrics` when served, behind the
    /// same door.
    #[cfg(any(feature = "axum", feature = "actix"))]
    pub(crate) fn mounted_paths(&self) -> impl Iterator<Item = &str> {
        let paths = &*self.paths;
        let open = self.deep_open();
        let deep = open.then_some(paths.deep.as_str());
        let metrics = (open && self.metrics.is_some()).then_some(paths.metrics.as_str());
        [paths.live.as_str(), &paths.ready, &paths.startup]
            .into_iter()
            .chain(deep)
            .chain(metrics)
    }
}
