//! Graceful shutdown: readiness flips to 503 `shutting_down` while liveness
//! stays 200, the listener keeps serving for the drain delay, then stops
//! accepting, lets in-flight requests finish, and returns.

use std::sync::Arc;
use std::time::{Duration, Instant};

use health_core::prelude::*;
use hyper::StatusCode;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::adapters::Adapter;
use crate::client::{get, Reply};

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

/// How long [`new_connections_are_answered_for_the_whole_drain_delay`]
/// drains.
const DRAIN: Duration = Duration::from_secs(1);

/// One request on a fresh connection, `None` if the connection is refused
/// or closed unanswered (the listener stopped accepting).
async fn fresh_get(addr: std::net::SocketAddr, path: &str) -> Option<Reply> {
    let stream = TcpStream::connect(addr).await.ok()?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .ok()?;
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("host", addr.to_string())
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.ok()?;
    let (head, body) = response.into_parts();
    let body = http_body_util::BodyExt::collect(body).await.ok()?.to_bytes();
    Some(Reply {
        status: head.status,
        headers: head.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    })
}

pub async fn new_connections_are_answered_for_the_whole_drain_delay<A: Adapter>() {
    struct Calm;
    let health = Health::builder(Calm).build().unwrap();
    let served = A::serve(health.http().handle_signals(false), DRAIN).await;
    let addr = served.addr;
    assert_eq!(get(addr, "/health/ready").await.status, StatusCode::OK);

    let began = Instant::now();
    health.begin_shutdown();
    // New connections, one after another, until one goes unanswered: each
    // answered one is told `shutting_down`, and the first unanswered comes
    // no sooner than the drain delay after shutdown began.
    let mut answered = 0;
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    let stopped_accepting = tokio::time::timeout(DRAIN + Duration::from_secs(30), async {
        loop {
            pace.tick().await;
            let Some(ready) = fresh_get(addr, "/health/ready").await else {
                return began.elapsed();
            };
            assert_eq!(
                (ready.status, ready.json()),
                (StatusCode::SERVICE_UNAVAILABLE, json!({"status": "shutting_down"})),
                "{:?} into the drain",
                began.elapsed()
            );
            answered += 1;
        }
    })
    .await
    .expect("the listener stops accepting once the drain delay is over");
    assert!(
        stopped_accepting >= DRAIN,
        "a new connection went unanswered {stopped_accepting:?} into a drain of {DRAIN:?} \
         ({answered} answered before)"
    );
    assert!(answered > 0);
    tokio::time::timeout(Duration::from_secs(30), served.stopped)
        .await
        .expect("the server returns")
        .unwrap();
}
