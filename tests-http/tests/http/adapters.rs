//! Every way the probes are served, each on a real server over a loopback
//! socket: the contract suite (`contract/`) runs each case against each.
//!
//! An adapter that shares its listener with an application (`MOUNTED`) is
//! served next to an application route, `GET /app` answering `app`; the
//! application's 404 answers every other path.
//!
//! Each is served as the README's recipe shows, with the settings that bound
//! slow clients and shutdown: the library's listeners (hyper, actix-web)
//! with their defaults and a [`GRACE`] after the drain; hyper-util with a
//! header-read timeout; every server cut off at drain + grace.

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use health_core::http::HealthHttp;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::Layer;

/// Every adapter, by the name of its test module: the one list that the
/// suites expand (`$then! { module => Type, .. }`). Adding an adapter is
/// adding its line here and its `impl Adapter`.
macro_rules! adapters {
    ($then:ident) => {
        $then! {
            axum => Axum,
            hyper_listener => HyperListener,
            tower_service => TowerService,
            tower_layer => TowerLayer,
            actix => Actix,
        }
    };
}
pub(crate) use adapters;

/// A server answering the probes.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Ends once the server returned: shutdown began, the drain delay
    /// passed, and the requests in flight finished.
    pub stopped: JoinHandle<()>,
}

/// One way of serving [`HealthHttp`].
pub trait Adapter {
    /// Whether the probes share the listener with an application (which
    /// then answers `GET /app` and the paths that are not ours).
    const MOUNTED: bool;

    /// Serves `http` on a free loopback port in the background. Once
    /// shutdown begins (`begin_shutdown`, or a signal where `http` handles
    /// them), readiness answers `shutting_down` for `drain`, then the server
    /// stops accepting and returns when the requests in flight finished.
    fn serve(http: HealthHttp, drain: Duration) -> impl Future<Output = Served>;
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the application answers on `GET /app`.
pub const APP_BODY: &str = "app";

/// How long every server waits for requests in flight once the drain delay
/// is over, before it closes what is left.
pub const GRACE: Duration = Duration::from_secs(2);

/// How long hyper-util waits for a request head (the README's setting).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves `drain + GRACE` after shutdown began: where a server that is
/// still waiting for its connections is cut off.
async fn cut_off(health: health_core::Registry, drain: Duration) {
    health.shutdown_begun().await;
    tokio::time::sleep(drain + GRACE).await;
}

async fn loopback() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").await.unwrap()
}

/// `health.http().router()` merged into an axum app, served by
/// `axum::serve` with `with_graceful_shutdown(health.shutdown_signal(drain))`,
/// cut off at drain + grace (axum 0.8's `serve` has no header-read timeout:
/// a half-sent request would hold its graceful shutdown for ever).
pub struct Axum;

impl Adapter for Axum {
    const MOUNTED: bool = true;

    async fn serve(http: HealthHttp, drain: Duration) -> Served {
        let listener = loopback().await;
        let addr = listener.local_addr().unwrap();
        // shutdown_signal listens to SIGTERM/SIGINT whatever `http` says.
        let shutdown = http.health().shutdown_signal(drain);
        let cut_off = cut_off(http.health().clone(), drain);
        let app = axum::Router::new()
            .route("/app", axum::routing::get(|| async { APP_BODY }))
            .merge(http.router());
        let stopped = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(shutdown);
            tokio::select! {
                served = serve.into_future() => served.unwrap(),
                () = cut_off => {}
            }
        });
        Served { addr, stopped }
    }
}

/// `health.http().bind(addr)`: the standalone hyper listener.
pub struct HyperListener;

impl Adapter for HyperListener {
    const MOUNTED: bool = false;

    async fn serve(http: HealthHttp, drain: Duration) -> Served {
        let http = http.drain_delay(drain).shutdown_grace(GRACE);
        let server = http.bind(([127, 0, 0, 1], 0).into()).await.unwrap();
        let addr = server.local_addr();
        let stopped = tokio::spawn(async move { server.run().await.unwrap() });
        Served { addr, stopped }
    }
}

/// `health.http().into_service()` served by hyper-util.
pub struct TowerService;

impl Adapter for TowerService {
    const MOUNTED: bool = false;

    async fn serve(http: HealthHttp, drain: Duration) -> Served {
        let shutdown = http.health().shutdown_signal(drain);
        hyper_util_server(http.into_service(), shutdown, GRACE).await
    }
}

/// `health.http().layer()` in front of a tower application, served by
/// hyper-util.
pub struct TowerLayer;

impl Adapter for TowerLayer {
    const MOUNTED: bool = true;

    async fn serve(http: HealthHttp, drain: Duration) -> Served {
        let shutdown = http.health().shutdown_signal(drain);
        let app = tower::service_fn(|request: Request<Incoming>| async move {
            let mut response = Response::new(Full::new(Bytes::from_static(APP_BODY.as_bytes())));
            if request.uri().path() != "/app" {
                *response.body_mut() = Full::default();
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            Ok::<_, Infallible>(response)
        });
        hyper_util_server(http.layer().layer(app), shutdown, GRACE).await
    }
}

/// Serves a tower service with hyper-util as its documentation shows:
/// HTTP/1.1 connections with a header-read timeout, watched by
/// `GracefulShutdown`, the listener closed once `shutdown` resolved, then
/// the requests in flight awaited for at most `grace`.
pub async fn hyper_util_server<T, B>(
    service: T,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Served
where
    T: tower::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    T::Future: Send,
    T::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let listener = loopback().await;
    let addr = listener.local_addr().unwrap();
    let service = TowerToHyperService::new(service);
    let stopped = tokio::spawn(async move {
        let connections = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _peer)) = accepted else {
                        // Out of descriptors: let connections end, then retry.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_READ_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service.clone());
                    tokio::spawn(connections.watch(connection));
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        let _ = tokio::time::timeout(grace, connections.shutdown()).await;
    });
    Served { addr, stopped }
}

/// `health.http().actix_configure()` in an actix-web `App` next to an
/// application route, the server run by `run_actix` (actix-web's own signal
/// handling disabled).
pub struct Actix;

impl Adapter for Actix {
    const MOUNTED: bool = true;

    async fn serve(http: HealthHttp, drain: Duration) -> Served {
        let http = http.drain_delay(drain).shutdown_grace(GRACE);
        let probes = http.clone().actix_configure();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .route("/app", actix_web::web::get().to(|| async { APP_BODY }))
                .configure(probes.clone())
        })
        .workers(1)
        // The request head within 5 s (the default, spelled out as in the README).
        .client_request_timeout(HEADER_READ_TIMEOUT)
        .disable_signals()
        .bind("127.0.0.1:0")
        .unwrap();
        let addr = server.addrs()[0];
        let running = http.run_actix(server.run());
        let stopped = tokio::spawn(async move { running.await.unwrap() });
        Served { addr, stopped }
    }
}
