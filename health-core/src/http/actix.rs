//! The probes in an actix-web 4 application, and its shutdown with a drain.
//!
//! actix-web speaks `http` 0.2 types; [`HealthHttp::respond`] speaks
//! `http` 1: the request head is converted on the way in, the answer on the
//! way out (a few headers each way; the body is handed over as it is).

use std::future::Future;
use std::io;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};

use super::respond::READ_HEADERS;
use super::HealthHttp;
use crate::shutdown::drained;

impl HealthHttp {
    /// Mounts the probes in an actix-web `App` (with `App::configure`):
    /// the probe paths, the deep endpoint only when a bearer token opens it
    /// (otherwise its path is the application's, whose 404 answers it like
    /// any unknown path), `/metrics` when configured, every method routed to
    /// us (so other methods than GET and HEAD get 405). The function can be
    /// cloned into each worker's `App`.
    ///
    /// Serve with [`HealthHttp::run_actix`] for the drain on shutdown:
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    ///
    /// use actix_web::{web, App, HttpServer};
    /// use health_core::Health;
    ///
    /// let health = Health::builder(()).build()?;
    /// let http = health.http().drain_delay(Duration::from_secs(5));
    /// let probes = http.clone().actix_configure();
    /// let server = HttpServer::new(move || {
    ///     App::new()
    ///         .route("/", web::get().to(|| async { "hello" }))
    ///         .configure(probes.clone())
    /// })
    /// .disable_signals() // ours: readiness flips first, then the drain
    /// .bind("0.0.0.0:8080")?
    /// .run();
    /// http.run_actix(server).await?;
    /// # Ok(()) }
    /// ```
    pub fn actix_configure(self) -> impl Fn(&mut ServiceConfig) + Clone + Send + Sync + 'static {
        let http = Arc::new(self);
        move |config: &mut ServiceConfig| {
            for path in http.mounted_paths() {
                let http = Arc::clone(&http);
                config.route(
                    path,
                    web::route().to(move |request: HttpRequest| {
                        let http = Arc::clone(&http);
                        async move { answer(&http, &request).await }
                    }),
                );
            }
        }
    }

    /// Runs an actix-web server until shutdown, then stops it the way the
    /// other listeners stop: once SIGTERM/SIGINT arrives (unless
    /// [`HealthHttp::handle_signals`] turned that off) or
    /// [`Registry::begin_shutdown`](crate::Registry::begin_shutdown) is called,
    /// readiness answers 503 `shutting_down` while the server keeps serving
    /// for the drain delay ([`HealthHttp::drain_delay`]); then it stops
    /// accepting and lets requests in flight finish (`ServerHandle::stop(true)`)
    /// for at most [`HealthHttp::shutdown_grace`] (or actix-web's own
    /// `shutdown_timeout`, if shorter), then stops the workers at once:
    /// shutdown takes at most drain delay + grace, whatever clients do.
    ///
    /// Build the server with `HttpServer::disable_signals()`: actix-web's
    /// own handler would stop it at the first signal, with no drain. Signals
    /// are listened to once the future is polled. See
    /// [`HealthHttp::actix_configure`] for an example.
    pub fn run_actix(&self, server: Server) -> impl Future<Output = io::Result<()>> + Send + 'static {
        let health = self.health.clone();
        let handle_signals = self.handle_signals;
        let (drain_delay, grace) = (self.drain_delay, self.shutdown_grace);
        let handle = server.handle();
        async move {
            let stop = async {
                drained(&health, handle_signals, drain_delay).await;
                if tokio::time::timeout(grace, handle.stop(true)).await.is_err() {
                    tracing::warn!("actix-web server stopped with requests still in flight after the {grace:?} grace");
                    handle.stop(false).await;
                }
            };
            tokio::pin!(server);
            tokio::select! {
                // The server ended by itself (an I/O error, or stopped elsewhere).
                served = &mut server => served,
                () = stop => server.await,
            }
        }
    }
}

/// Answers an actix-web request with [`HealthHttp::respond`].
async fn answer(http: &HealthHttp, request: &HttpRequest) -> HttpResponse {
    let Some(head) = head(request) else {
        // actix-web parsed it, so `http` accepts it too: not reached in practice.
        return HttpResponse::BadRequest().finish();
    };
    let (answer, body) = http.answer(&head).await.into_parts();
    let status = StatusCode::from_u16(answer.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in &answer.headers {
        response.append_header((name.as_str(), value.as_bytes()));
    }
    response.body(body)
}

/// The head of an actix-web request in `http` 1 types, with only the
/// headers an answer reads ([`READ_HEADERS`]): copying the others would
/// only cost time.
fn head(request: &HttpRequest) -> Option<http::request::Parts> {
    let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut head = http::Request::new(()).into_parts().0;
    head.method = http::Method::from_bytes(request.method().as_str().as_bytes()).ok()?;
    head.uri = http::Uri::try_from(path_and_query).ok()?;
    for name in READ_HEADERS {
        for value in request.headers().get_all(name.as_str()) {
            head.headers
                .append(name.clone(), http::HeaderValue::from_bytes(value.as_bytes()).ok()?);
        }
    }
    Some(head)
}
