//! What only the tower layer has: an inner service. Its readiness holds the
//! requests it serves, never the probes (`HealthMiddleware`'s `poll_ready`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use bytes::Bytes;
use health_core::{BoxFuture, Health};
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use tokio::sync::Notify;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

use crate::adapters::{hyper_util_server, GRACE};
use crate::client::get;

struct Saturated;

/// The application: `/slow` holds it until released; every request it is
/// called with is counted. It takes any body, so one service (and one
/// concurrency limit) is both served over a socket and called in process.
#[derive(Clone, Default)]
struct App {
    entered: Arc<Notify>,
    release: Arc<Notify>,
    called: Arc<AtomicUsize>,
}

impl<B> Service<Request<B>> for App {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<Full<Bytes>>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.called.fetch_add(1, Ordering::SeqCst);
        let slow = request.uri().path() == "/slow";
        let (entered, release) = (Arc::clone(&self.entered), Arc::clone(&self.release));
        Box::pin(async move {
            if slow {
                entered.notify_one();
                release.notified().await;
            }
            Ok(Response::new(Full::new(Bytes::from_static(b"app"))))
        })
    }
}

/// A waker that remembers being woken.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_application_does_not_hold_the_probes() {
    let app = App::default();
    let health = Health::builder(Saturated).build().unwrap();
    let service = health
        .http()
        .layer()
        .layer(ServiceBuilder::new().concurrency_limit(1).service(app.clone()));
    let addr = hyper_util_server(service.clone(), std::future::pending(), GRACE)
        .await
        .addr;

    // The application's only permit is taken by a slow request...
    let slow = tokio::spawn(get(addr, "/slow"));
    app.entered.notified().await;

    // ...so its next request (through a clone of the same layered service,
    // sharing the limit) is not ready: it waits for the permit, and never
    // reaches the application.
    let woken = Arc::new(Woken::default());
    let waker = Waker::from(Arc::clone(&woken));
    let mut queued = pin!(service.clone().oneshot(Request::get("/app").body(()).unwrap()));
    assert!(
        queued.as_mut().poll(&mut Context::from_waker(&waker)).is_pending(),
        "the application's request waits for its readiness"
    );
    assert_eq!(app.called.load(Ordering::SeqCst), 1, "only the slow request reached it");

    // A probe answers meanwhile.
    let probe = tokio::time::timeout(Duration::from_secs(5), get(addr, "/health/ready"))
        .await
        .expect("the probe answered while the application was saturated");
    assert_eq!(probe.status, StatusCode::OK);
    assert_eq!(probe.json()["status"], "ready");
    assert!(!woken.0.load(Ordering::SeqCst), "the permit is still taken");

    // The slow request ends and returns the permit, which wakes the queued
    // request; it then goes through.
    app.release.notify_one();
    assert_eq!(slow.await.unwrap().body, "app");
    assert!(
        woken.0.load(Ordering::SeqCst),
        "the freed permit woke the queued request"
    );
    let answer = queued.await.unwrap();
    assert_eq!(answer.into_body().collect().await.unwrap().to_bytes(), "app");
    assert_eq!(app.called.load(Ordering::SeqCst), 2);
}
