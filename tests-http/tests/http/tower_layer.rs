//! What only the tower layer has: an inner service. Its readiness holds the
//! requests it serves, never the probes (`HealthMiddleware`'s `poll_ready`).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use health_core::Health;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use tokio::sync::Notify;
use tower::{Layer, ServiceBuilder};

use crate::adapters::{hyper_util_server, GRACE};
use crate::client::get;

struct Saturated;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_application_does_not_hold_the_probes() {
    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let app = ServiceBuilder::new().concurrency_limit(1).service_fn({
        let (entered, release) = (Arc::clone(&entered), Arc::clone(&release));
        move |request: Request<Incoming>| {
            let (entered, release) = (Arc::clone(&entered), Arc::clone(&release));
            async move {
                if request.uri().path() == "/slow" {
                    entered.notify_one();
                    release.notified().await;
                }
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"app"))))
            }
        }
    });
    let health = Health::builder(Saturated).build().unwrap();
    let addr = hyper_util_server(health.http().layer().layer(app), std::future::pending(), GRACE)
        .await
        .addr;

    // The application's only permit is taken by a slow request...
    let slow = tokio::spawn(get(addr, "/slow"));
    entered.notified().await;
    // ...so its next request waits for the permit, while a probe answers.
    let queued = tokio::spawn(get(addr, "/app"));
    let probe = tokio::time::timeout(Duration::from_secs(5), get(addr, "/health/ready"))
        .await
        .expect("the probe answered while the application was saturated");
    assert_eq!(probe.status, StatusCode::OK);
    assert_eq!(probe.json()["status"], "ready");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !queued.is_finished(),
        "the application's request waits for its readiness"
    );

    release.notify_one();
    assert_eq!(slow.await.unwrap().body, "app");
    assert_eq!(queued.await.unwrap().body, "app");
}
