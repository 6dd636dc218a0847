//! Start-up gate, shutdown and liveness transitions.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use health_core::prelude::*;
use serde_json::json;

use crate::Dependency;

#[derive(Default)]
struct Boot {
    warmed: AtomicBool,
    warm_calls: Dependency,
    db: Dependency,
    stalled: AtomicBool,
}

#[health_check(startup, interval = "1s")]
async fn caches_warmed(state: &Boot) -> bool {
    let _ = state.warm_calls.call();
    state.warmed.load(Ordering::SeqCst)
}

#[health_check(critical)]
async fn db(state: &Boot) -> Result<(), String> {
    state.db.call()
}

#[health_check(liveness, timeout = "100ms")]
async fn event_loop(state: &Boot) -> Result<(), CheckError> {
    match state.stalled.load(Ordering::SeqCst) {
        true => Err(CheckError::new("heartbeat 12s old")),
        false => Ok(()),
    }
}

async fn after(seconds: u64) {
    tokio::time::advance(Duration::from_secs(seconds)).await;
}

#[tokio::test(start_paused = true)]
async fn readiness_says_starting_until_every_startup_check_passed_once() {
    let health = Health::builder(Boot::default()).build().unwrap();
    let startup = health.startup().await;
    assert_eq!((startup.status(), startup.http_status()), (Status::Starting, 503));
    assert_eq!(
        serde_json::to_value(&startup).unwrap(),
        json!({"status": "starting", "checks": {"caches_warmed": {"status": "fail", "reason": "error"}}})
    );
    assert_eq!(health.readiness().await.status(), Status::Starting);
    assert_eq!(health.liveness().await.status(), Status::Alive, "starting is not dead");

    health.state().warmed.store(true, Ordering::SeqCst);
    after(2).await;
    let startup = health.startup().await;
    assert_eq!((startup.status(), startup.http_status()), (Status::Started, 200));
    assert_eq!(serde_json::to_value(&startup).unwrap(), json!({"status": "started"}));
    assert_eq!(health.readiness().await.status(), Status::Ready);
    assert!(health.is_started());
}

#[tokio::test(start_paused = true)]
async fn started_is_for_good_and_startup_checks_stop_running() {
    let health = Health::builder(Boot::default()).build().unwrap();
    health.state().warmed.store(true, Ordering::SeqCst);
    assert_eq!(health.startup().await.status(), Status::Started);
    let calls = health.state().warm_calls.calls();

    health.state().warmed.store(false, Ordering::SeqCst);
    for _ in 0..5 {
        after(2).await;
        assert_eq!(health.startup().await.status(), Status::Started);
        assert_eq!(health.readiness().await.status(), Status::Ready);
    }
    assert_eq!(
        health.state().warm_calls.calls(),
        calls,
        "no startup check runs after start-up"
    );
}

#[tokio::test(start_paused = true)]
async fn withheld_startup_waits_for_mark_started() {
    let health = Health::builder(Boot::default()).withhold_startup().build().unwrap();
    health.state().warmed.store(true, Ordering::SeqCst);
    assert_eq!(health.startup().await.status(), Status::Starting);
    assert_eq!(health.readiness().await.status(), Status::Starting);

    health.mark_started();
    assert_eq!(health.startup().await.status(), Status::Started);
    assert_eq!(health.readiness().await.status(), Status::Ready);
}

#[tokio::test(start_paused = true)]
async fn mark_started_does_not_skip_failing_startup_checks() {
    let health = Health::builder(Boot::default()).withhold_startup().build().unwrap();
    health.mark_started();
    assert_eq!(health.startup().await.status(), Status::Starting);
    health.state().warmed.store(true, Ordering::SeqCst);
    after(2).await;
    assert_eq!(health.startup().await.status(), Status::Started);
}

#[tokio::test(start_paused = true)]
async fn shutdown_flips_readiness_and_keeps_liveness() {
    let health = Health::builder(Boot::default()).build().unwrap();
    health.state().warmed.store(true, Ordering::SeqCst);
    assert_eq!(health.readiness().await.status(), Status::Ready);
    let waiter = tokio::spawn({
        let health = health.clone();
        async move { health.shutdown_begun().await }
    });

    health.begin_shutdown();
    let ready = health.readiness().await;
    assert_eq!((ready.status(), ready.http_status()), (Status::ShuttingDown, 503));
    assert_eq!(
        serde_json::to_value(&ready).unwrap(),
        json!({"status": "shutting_down"})
    );
    let live = health.liveness().await;
    assert_eq!((live.status(), live.http_status()), (Status::Alive, 200));
    waiter.await.unwrap();

    let db_calls = health.state().db.calls();
    after(5).await;
    health.readiness().await;
    assert_eq!(
        health.state().db.calls(),
        db_calls,
        "shutting down answers without running checks"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_liveness_check_is_dead_with_its_checks() {
    let health = Health::builder(Boot::default()).build().unwrap();
    health.state().stalled.store(true, Ordering::SeqCst);
    let live = health.liveness().await;
    assert_eq!((live.status(), live.http_status()), (Status::Dead, 503));
    assert_eq!(
        serde_json::to_value(&live).unwrap(),
        json!({"status": "dead", "checks": {"event_loop": {"status": "fail", "reason": "error"}}})
    );
    assert_eq!(health.state().db.calls(), 0, "liveness never runs dependency checks");
}
