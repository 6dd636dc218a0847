//! Graceful shutdown: readiness flips to 503 `shutting_down` while liveness
//! stays 200, the listener keeps serving for the drain delay, then stops
//! accepting, lets in-flight requests finish, and returns.

use std::sync::Arc;
use std::time::Duration;

use health_core::prelude::*;
use hyper::StatusCode;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::adapters::Adapter;
use crate::client::get;

#[derive(Default)]
struct Draining {
    /// Holds the liveness check until the test lets it answer.
    release: Notify,
    held: Notify,
}

#[health_check(liveness, timeout = "30s", interval = "1ms")]
async fn slow_liveness(state: &Draining) -> bool {
    state.held.notify_one();
    state.release.notified().await;
    true
}

pub async fn readiness_flips_first_then_the_listener_drains_and_stops<A: Adapter>() {
    let health = Health::builder(Draining::default()).build().unwrap();
    let served = A::serve(health.http().handle_signals(false), Duration::from_millis(300)).await;
    let (addr, running) = (served.addr, served.stopped);
    assert_eq!(get(addr, "/health/ready").await.json()["status"], "ready");

    // A request in flight across the end of the drain delay.
    let in_flight = tokio::spawn(async move { get(addr, "/health/live").await });
    health.state().held.notified().await;

    health.begin_shutdown();
    let ready = get(addr, "/health/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json(), json!({"status": "shutting_down"}));

    // The drain delay ends: the listener stops accepting...
    while TcpStream::connect(addr).await.is_ok() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!running.is_finished(), "still waiting for the request in flight");

    // ...and the request in flight still gets its answer: alive, not restarted.
    health.state().release.notify_one();
    let live = in_flight.await.unwrap();
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.json(), json!({"status": "alive"}));
    running.await.unwrap();
}

pub async fn liveness_stays_200_during_the_drain<A: Adapter>() {
    struct Calm;
    let health = Health::builder(Calm).build().unwrap();
    let addr = A::serve(health.http().handle_signals(false), Duration::from_secs(2))
        .await
        .addr;
    let health = Arc::new(health);
    health.begin_shutdown();
    for _ in 0..5 {
        assert_eq!(get(addr, "/health/live").await.status, StatusCode::OK);
        assert_eq!(get(addr, "/health/ready").await.status, StatusCode::SERVICE_UNAVAILABLE);
    }
}
