//! Probes answer in bounded time however a dependency behaves, panics stay
//! contained, and a probe storm never becomes a dependency storm.

use std::future::pending;
use std::time::Duration;

use health_core::prelude::*;
use hyper::StatusCode;
use tokio::time::Instant;

use crate::adapters::HyperListener;
use crate::client::get;
use crate::contract::serve;
use crate::Dependency;

#[derive(Default)]
struct Hanging {
    calls: Dependency,
}

#[health_check(critical, timeout = "300ms")]
async fn blackholed(state: &Hanging) -> Result<(), String> {
    let _ = state.calls.call();
    pending::<()>().await;
    Ok(())
}

#[health_check]
async fn panics(_state: &Hanging) -> bool {
    panic!("checked an invariant that did not hold")
}

/// On tokio's paused clock: time moves only when every task waits, so the
/// probe's time is the deadline's, whatever the machine's load (a real-time
/// margin raced a loaded 2-core machine).
#[tokio::test(start_paused = true)]
async fn a_hanging_dependency_cannot_hold_a_probe_past_its_deadline() {
    let health = Health::builder(Hanging::default()).build().unwrap();
    let addr = serve::<HyperListener>(health.http()).await;
    for _ in 0..3 {
        let start = Instant::now();
        let ready = get(addr, "/health/ready").await;
        let took = start.elapsed();
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ready.json()["critical"]["blackholed"]["reason"], "timeout");
        assert_eq!(ready.json()["degraded"]["panics"]["reason"], "panicked");
        // The deadline is 300 ms: the answer comes when it passes, not later.
        assert!(took < Duration::from_millis(400), "answered after {took:?}");
        assert!(
            took >= Duration::from_millis(300),
            "a fresh run, not a cached answer: {took:?}"
        );
        tokio::time::sleep(Duration::from_millis(1100)).await; // let the cached result expire
    }
    assert_eq!(
        get(addr, "/health/live").await.status,
        StatusCode::OK,
        "panics did not take the server down"
    );
}

#[derive(Default)]
struct Stormed {
    db: Dependency,
}

#[health_check(critical, timeout = "1s", interval = "10s")]
async fn db(state: &Stormed) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(50)).await;
    state.db.call()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_probes_call_the_dependency_once() {
    let health = Health::builder(Stormed::default()).build().unwrap();
    let addr = serve::<HyperListener>(health.http()).await;
    let storm: Vec<_> = (0..200)
        .map(|_| tokio::spawn(async move { get(addr, "/health/ready").await.status }))
        .collect();
    for probe in storm {
        assert_eq!(probe.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(health.state().db.calls(), 1, "one run per 10s freshness window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_background_mode_probes_never_touch_the_dependency() {
    let health = Health::builder(Stormed::default()).background().build().unwrap();
    let addr = serve::<HyperListener>(health.http()).await;
    // Wait for the scheduler's first result (its run takes ~50 ms).
    while get(addr, "/health/ready").await.status != StatusCode::OK {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let calls = health.state().db.calls();
    for _ in 0..300 {
        assert_eq!(get(addr, "/health/ready").await.status, StatusCode::OK);
    }
    assert_eq!(
        health.state().db.calls(),
        calls,
        "300 probes answered from the snapshot"
    );
}
