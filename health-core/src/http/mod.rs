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
//! [`Health::shutdown_signal`]).
//!
//! The deep endpoint is never public by default: it answers 404 (like an
//! unknown path) unless the request carries the configured bearer token, or
//! arrives on an admin listener bound to loopback ([`HealthHttp::bind_admin`]).

mod access;
#[cfg(feature = "actix")]
mod actix;
mod respond;
#[cfg(feature = "axum")]
mod router;
#[cfg(feature = "server")]
mod server;
#[cfg(feature = "tower")]
mod tower;

use std::sync::Arc;
use std::time::Duration;

pub use crate::wire::health_json::CONTENT_TYPE as HEALTH_JSON;
pub use access::{BearerToken, TokenTooShort};
#[cfg(feature = "server")]
pub use server::HealthServer;
#[cfg(feature = "tower")]
pub use tower::{HealthLayer, HealthMiddleware, HealthService, MiddlewareFuture};

use crate::{Health, Probe};

/// Where the four endpoints answer.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// only with [`HealthHttp::metrics`]).
    pub metrics: String,
}

impl Paths {
    /// The deep endpoint's default path.
    pub const DEFAULT_DEEP: &'static str = "/health/deep";
    /// The metrics endpoint's default path.
    pub const DEFAULT_METRICS: &'static str = "/metrics";
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

/// The HTTP face of a [`Health`] registry: paths, deep-endpoint access, and
/// the drain delay of graceful shutdown. Made by [`Health::http`].
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
pub struct HealthHttp<S> {
    health: Health<S>,
    paths: Arc<Paths>,
    deep_token: Option<BearerToken>,
    admin_listener: bool,
    drain_delay: Duration,
    handle_signals: bool,
    metrics: Option<RenderMetrics>,
    page_refresh: Option<Duration>,
}

/// Renders the metrics text an exporter holds.
type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

impl<S> Clone for HealthHttp<S> {
    fn clone(&self) -> Self {
        HealthHttp {
            health: self.health.clone(),
            paths: Arc::clone(&self.paths),
            deep_token: self.deep_token.clone(),
            admin_listener: self.admin_listener,
            drain_delay: self.drain_delay,
            handle_signals: self.handle_signals,
            metrics: self.metrics.clone(),
            page_refresh: self.page_refresh,
        }
    }
}

impl<S> std::fmt::Debug for HealthHttp<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthHttp")
            .field("health", &self.health)
            .field("paths", &self.paths)
            .field("deep_token", &self.deep_token)
            .field("admin_listener", &self.admin_listener)
            .field("drain_delay", &self.drain_delay)
            .field("handle_signals", &self.handle_signals)
            .field("metrics", &self.metrics.is_some())
            .field("page_refresh", &self.page_refresh)
            .finish()
    }
}

impl<S: Send + Sync + 'static> Health<S> {
    /// The HTTP face of this registry, with the default paths, no deep
    /// access, a 5 s drain delay and SIGTERM/SIGINT handling.
    pub fn http(&self) -> HealthHttp<S> {
        HealthHttp {
            health: self.clone(),
            paths: Arc::new(Paths::default()),
            deep_token: None,
            admin_listener: false,
            drain_delay: HealthHttp::<S>::DEFAULT_DRAIN_DELAY,
            handle_signals: true,
            metrics: None,
            page_refresh: Some(HealthHttp::<S>::DEFAULT_PAGE_REFRESH),
        }
    }
}

impl<S: Send + Sync + 'static> HealthHttp<S> {
    /// How long a draining listener keeps answering after shutdown began.
    pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(5);
    /// How often the status page reloads itself by default.
    pub const DEFAULT_PAGE_REFRESH: Duration = Duration::from_secs(10);

    /// Serves the endpoints at other paths.
    pub fn paths(mut self, paths: Paths) -> Self {
        self.paths = Arc::new(paths);
        self
    }

    /// Serves the deep endpoint to requests with `Authorization: Bearer <token>`
    /// (others get 401). Refuses tokens shorter than [`BearerToken::MIN_LEN`].
    pub fn deep_token(mut self, token: &str) -> Result<Self, TokenTooShort> {
        self.deep_token = Some(BearerToken::new(token)?);
        Ok(self)
    }

    /// How long listeners keep answering once shutdown began, so load
    /// balancers see `shutting_down` and stop routing before the port closes.
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// Whether listeners begin shutdown on SIGTERM/SIGINT (default: yes).
    /// Without, shutdown begins only with [`Health::begin_shutdown`].
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
    /// Metrics name the checks but carry no error text; like the deep
    /// endpoint, serve them on an admin listener rather than publicly.
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
    pub fn health(&self) -> &Health<S> {
        &self.health
    }

    /// The paths an adapter that shares its listener with an application
    /// claims: the probes; the deep endpoint unless it is hidden (no token,
    /// no admin listener), so that it then answers exactly like the
    /// application's own unknown paths; `/metrics` when served.
    pub(crate) fn mounted_paths(&self) -> impl Iterator<Item = &str> {
        let paths = &*self.paths;
        let deep = (self.deep_token.is_some() || self.admin_listener).then_some(paths.deep.as_str());
        let metrics = self.metrics.is_some().then_some(paths.metrics.as_str());
        [paths.live.as_str(), &paths.ready, &paths.startup]
            .into_iter()
            .chain(deep)
            .chain(metrics)
    }
}
