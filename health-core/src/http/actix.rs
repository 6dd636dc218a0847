//! The probes in an actix-web 4 application, and its shutdown with a drain.
//!
//! actix-web speaks `http` 0.2 types; [`HealthHttp::respond`] speaks
//! `http` 1. On the way in, only what an answer reads is copied (the
//! method, the path unless it is exactly the mounted one, the headers of
//! [`HealthHttp::read_headers`]); on the way out, the answer's header lines
//! are fixed text, taken without parsing or copying, and the body is handed
//! over as it is.

use std::future::Future;
use std::io;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::{header, Method, StatusCode};
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

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
        let read = Arc::new(ReadHeaders::of(&http));
        move |config: &mut ServiceConfig| {
            for path in http.mounted_paths() {
                let route = Arc::new(Route {
                    http: Arc::clone(&http),
                    uri: http::Uri::try_from(path).ok(),
                    read: Arc::clone(&read),
                });
                config.route(
                    path,
                    web::route().to(move |request: HttpRequest| {
                        let route = Arc::clone(&route);
                        async move { route.answer(&request).await }
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

/// One mounted path, with what its requests need converted once.
struct Route {
    http: Arc<HealthHttp>,
    /// The path as an `http` URI: a request for exactly this path (most
    /// are) takes a copy instead of parsing its own.
    uri: Option<http::Uri>,
    read: Arc<ReadHeaders>,
}

/// The request headers an answer reads ([`HealthHttp::read_headers`]), by
/// their names in both crates.
struct ReadHeaders(Vec<(header::HeaderName, http::HeaderName)>);

impl ReadHeaders {
    fn of(http: &HealthHttp) -> ReadHeaders {
        let names = http.read_headers().filter_map(|name| {
            let actix_name = header::HeaderName::from_bytes(name.as_str().as_bytes()).ok()?;
            Some((actix_name, name))
        });
        ReadHeaders(names.collect())
    }
}

impl Route {
    /// Answers an actix-web request with [`HealthHttp::respond`].
    async fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let Some(head) = self.head(request) else {
            // actix-web parsed it, so `http` accepts it too: not reached in practice.
            return HttpResponse::BadRequest().finish();
        };
        let reply = self.http.answer(&head).await;
        let status = StatusCode::from_u16(reply.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::build(status);
        for (name, value) in reply.lines {
            if let Some(line) = converted(name, value) {
                response.append_header(line);
            }
        }
        response.body(reply.body)
    }

    /// The head of an actix-web request in `http` 1 types, with only the
    /// headers an answer reads: copying the others would only cost time.
    fn head(&self, request: &HttpRequest) -> Option<http::request::Parts> {
        let mut head = http::Request::new(()).into_parts().0;
        head.method = match *request.method() {
            Method::GET => http::Method::GET,
            Method::HEAD => http::Method::HEAD,
            ref other => http::Method::from_bytes(other.as_str().as_bytes()).ok()?,
        };
        let given = request.uri();
        head.uri = match &self.uri {
            Some(uri) if given.query().is_none() && given.path() == uri.path() => uri.clone(),
            _ => http::Uri::try_from(given.path_and_query().map_or("/", |pq| pq.as_str())).ok()?,
        };
        for (actix_name, name) in &self.read.0 {
            for value in request.headers().get_all(actix_name) {
                head.headers
                    .append(name.clone(), http::HeaderValue::from_bytes(value.as_bytes()).ok()?);
            }
        }
        Some(head)
    }
}

/// A header line of an answer in actix-web's types. The names answers use
/// are looked up, not parsed again; the value is fixed text, taken without
/// a copy.
fn converted(
    name: &http::HeaderName,
    value: &'static http::HeaderValue,
) -> Option<(header::HeaderName, header::HeaderValue)> {
    let known = KNOWN_NAMES.iter().find(|(http_name, _)| http_name == name);
    let name = match known {
        Some((_, actix_name)) => actix_name.clone(),
        None => header::HeaderName::from_bytes(name.as_str().as_bytes()).ok()?,
    };
    let value = header::HeaderValue::from_maybe_shared(Bytes::from_static(value.as_bytes())).ok()?;
    Some((name, value))
}

/// The header names [`HealthHttp::answer`] writes, in both crates.
static KNOWN_NAMES: [(http::HeaderName, header::HeaderName); 7] = [
    (http::header::CONTENT_TYPE, header::CONTENT_TYPE),
    (http::header::CACHE_CONTROL, header::CACHE_CONTROL),
    (http::header::ALLOW, header::ALLOW),
    (http::header::WWW_AUTHENTICATE, header::WWW_AUTHENTICATE),
    (http::header::CONTENT_SECURITY_POLICY, header::CONTENT_SECURITY_POLICY),
    (http::header::X_CONTENT_TYPE_OPTIONS, header::X_CONTENT_TYPE_OPTIONS),
    (http::header::REFERRER_POLICY, header::REFERRER_POLICY),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::reply;

    #[test]
    fn every_header_line_an_answer_writes_converts_by_lookup() {
        for (name, value) in reply::every_set().into_iter().flatten() {
            assert!(
                KNOWN_NAMES.iter().any(|(known, _)| known == name),
                "`{name}` would be parsed again on every request: add it to KNOWN_NAMES"
            );
            let (actix_name, actix_value) = converted(name, value).expect("a valid header line");
            assert_eq!(actix_name.as_str(), name.as_str());
            assert_eq!(actix_value.as_bytes(), value.as_bytes());
        }
    }
}
