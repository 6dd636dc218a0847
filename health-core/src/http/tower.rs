//! The probes as a `tower::Service` and a `tower::Layer`, for any server
//! built on tower: hyper-util, tonic's HTTP side, poem and salvo through
//! their tower compatibility.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{Either, Full};
use pin_project_lite::pin_project;
use tower::util::Oneshot;
use tower::{Layer, Service, ServiceExt};

use super::future::ResponseFuture;
use super::HealthHttp;

impl HealthHttp {
    /// The probes as a `tower::Service` taking requests with any body:
    /// the four endpoints (the deep one with its bearer token), `/metrics`
    /// when configured, 404 elsewhere; exactly what
    /// [`HealthHttp::respond`] answers. For a server of its own; to put the
    /// probes in front of an application, use [`HealthHttp::layer`].
    ///
    /// Serving it with hyper-util, draining on shutdown:
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    ///
    /// use health_core::Health;
    /// use hyper::server::conn::http1;
    /// use hyper_util::rt::TokioIo;
    /// use hyper_util::server::graceful::GracefulShutdown;
    /// use hyper_util::service::TowerToHyperService;
    ///
    /// let health = Health::builder(()).build()?;
    /// let service = TowerToHyperService::new(health.http().into_service());
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    /// let connections = GracefulShutdown::new();
    /// // SIGTERM/SIGINT: readiness answers 503 `shutting_down` for 5 s, then stop.
    /// let shutdown = health.shutdown_signal(Duration::from_secs(5));
    /// tokio::pin!(shutdown);
    /// loop {
    ///     tokio::select! {
    ///         accepted = listener.accept() => {
    ///             let (stream, _peer) = accepted?;
    ///             let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service.clone());
    ///             tokio::spawn(connections.watch(connection));
    ///         }
    ///         () = &mut shutdown => break,
    ///     }
    /// }
    /// drop(listener); // stop accepting, let the requests in flight finish
    /// connections.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub fn into_service(self) -> HealthService {
        HealthService { http: Arc::new(self) }
    }

    /// A `tower::Layer` that answers the probes in front of an application:
    /// requests for the probe paths (the deep one only when a token opens
    /// it, `/metrics` only when configured) get our answer, any other
    /// request goes to the inner service, so a hidden deep endpoint answers
    /// like the application's own unknown paths.
    ///
    /// The response body is [`Either`] ours ([`Full`]) or the inner
    /// service's. See [`HealthMiddleware`] for `poll_ready`.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::convert::Infallible;
    ///
    /// use bytes::Bytes;
    /// use health_core::Health;
    /// use http_body_util::Full;
    /// use hyper::server::conn::http1;
    /// use hyper_util::rt::TokioIo;
    /// use hyper_util::service::TowerToHyperService;
    /// use tower::{service_fn, Layer};
    ///
    /// // The application: any tower service that is `Clone`.
    /// let app = service_fn(|_request: http::Request<hyper::body::Incoming>| async {
    ///     Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"hello"))))
    /// });
    /// let health = Health::builder(()).build()?;
    /// let service = TowerToHyperService::new(health.http().layer().layer(app));
    ///
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    /// loop {
    ///     let (stream, _peer) = listener.accept().await?;
    ///     let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service.clone());
    ///     tokio::spawn(connection);
    /// }
    /// # }
    /// ```
    pub fn layer(self) -> HealthLayer {
        HealthLayer { http: Arc::new(self) }
    }
}

/// The probes as a `tower::Service`; made by [`HealthHttp::into_service`].
/// Cloning it clones an `Arc`.
///
/// **Readiness.** `poll_ready` is always ready: the service holds no
/// resource a request could wait for (answers come from the registry's
/// cache or a run shared with concurrent probes, under the checks'
/// deadlines), so there is no back-pressure to signal; limit connections
/// or requests in the server or with a tower layer if you need to. Its
/// error type is [`Infallible`]: every request gets an HTTP answer.
pub struct HealthService {
    http: Arc<HealthHttp>,
}

impl Clone for HealthService {
    fn clone(&self) -> Self {
        HealthService {
            http: Arc::clone(&self.http),
        }
    }
}

impl fmt::Debug for HealthService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthService").field("http", &self.http).finish()
    }
}

impl<B> Service<Request<B>> for HealthService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    /// Reads only the head: the body is dropped unread, as the other
    /// adapters do.
    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (head, _body) = request.into_parts();
        self.http.answer_future(self.http.route(&head))
    }
}

/// The `tower::Layer` answering the probes in front of a service; made by
/// [`HealthHttp::layer`]. Cloning it clones an `Arc`.
pub struct HealthLayer {
    http: Arc<HealthHttp>,
}

impl Clone for HealthLayer {
    fn clone(&self) -> Self {
        HealthLayer {
            http: Arc::clone(&self.http),
        }
    }
}

impl fmt::Debug for HealthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthLayer").field("http", &self.http).finish()
    }
}

impl<I> Layer<I> for HealthLayer {
    type Service = HealthMiddleware<I>;

    fn layer(&self, inner: I) -> HealthMiddleware<I> {
        HealthMiddleware {
            inner,
            http: Arc::clone(&self.http),
        }
    }
}

/// A service answering the probe paths itself and passing every other
/// request to `inner`; made by [`HealthLayer`].
///
/// **Readiness.** `poll_ready` is always ready: a probe never waits for the
/// application's back-pressure (an overloaded application must still say
/// so, and liveness must not time out because a concurrency limit is
/// full). A passed-through request drives a clone of `inner` through its
/// own `poll_ready` and then `call` (tower's `oneshot`), so the inner
/// service's readiness is required for, and only for, the requests it
/// serves; limits shared between clones (`ConcurrencyLimit`, `Buffer`, a
/// rate limit) still hold. Hence `I: Clone`, as in axum's routes; cloning
/// should be cheap (an `Arc` or two).
pub struct HealthMiddleware<I> {
    inner: I,
    http: Arc<HealthHttp>,
}

impl<I: Clone> Clone for HealthMiddleware<I> {
    fn clone(&self) -> Self {
        HealthMiddleware {
            inner: self.inner.clone(),
            http: Arc::clone(&self.http),
        }
    }
}

impl<I: fmt::Debug> fmt::Debug for HealthMiddleware<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthMiddleware")
            .field("inner", &self.inner)
            .field("http", &self.http)
            .finish()
    }
}

impl<I, B, IB> Service<Request<B>> for HealthMiddleware<I>
where
    I: Service<Request<B>, Response = Response<IB>> + Clone,
{
    type Response = Response<Either<Full<Bytes>, IB>>;
    type Error = I::Error;
    type Future = MiddlewareFuture<I, B>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), I::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> MiddlewareFuture<I, B> {
        let route = match self.http.claimed(request.uri().path()) {
            Some(endpoint) => {
                let (head, _body) = request.into_parts();
                Route::Health {
                    answer: self.http.answer_future(self.http.route_to(Some(endpoint), &head)),
                }
            }
            None => Route::Inner {
                call: self.inner.clone().oneshot(request),
            },
        };
        MiddlewareFuture { route }
    }
}

pin_project! {
    /// The response future of [`HealthMiddleware`]: our answer, or the
    /// inner service's with its body on the right of [`Either`].
    pub struct MiddlewareFuture<I, B>
    where
        I: Service<Request<B>>,
    {
        #[pin]
        route: Route<I, B>,
    }
}

pin_project! {
    /// Where a request went.
    #[project = RouteProjection]
    enum Route<I, B>
    where
        I: Service<Request<B>>,
    {
        Health { answer: ResponseFuture },
        Inner { #[pin] call: Oneshot<I, Request<B>> },
    }
}

impl<I: Service<Request<B>>, B> fmt::Debug for MiddlewareFuture<I, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let route = match self.route {
            Route::Health { .. } => "health",
            Route::Inner { .. } => "inner",
        };
        f.debug_struct("MiddlewareFuture").field("route", &route).finish()
    }
}

impl<I, B, IB> Future for MiddlewareFuture<I, B>
where
    I: Service<Request<B>, Response = Response<IB>>,
{
    type Output = Result<Response<Either<Full<Bytes>, IB>>, I::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().route.project() {
            RouteProjection::Health { answer } => Pin::new(answer).poll(cx).map(|ours| match ours {
                Ok(ours) => Ok(ours.map(Either::Left)),
                Err(never) => match never {},
            }),
            RouteProjection::Inner { call } => call
                .poll(cx)
                .map(|theirs| theirs.map(|response| response.map(Either::Right))),
        }
    }
}
