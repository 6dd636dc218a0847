//! Background mode: checks run on their own schedule, probes only read the
//! snapshot, and a result older than interval + deadline is `stale`.

use std::future::pending;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use health_core::prelude::*;
use tokio::time::Instant;

use crate::Dependency;

#[derive(Default)]
struct Scheduled {
    db: Dependency,
    hang: AtomicBool,
}

#[health_check(critical, timeout = "500ms", interval = "2s")]
async fn db(state: &Scheduled) -> Result<(), String> {
    if state.hang.load(Ordering::SeqCst) {
        pending::<()>().await;
    }
    state.db.call()
}

/// Lets the scheduler's timers fire and its runs finish.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn no_optimism_before_the_first_result() {
    let health = Health::builder(Scheduled::default()).background().build().unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Starting, "no first result yet");
    assert_eq!(ready.check("db").unwrap().reason(), Some(Reason::Pending));
    assert_eq!(ready.check("db").unwrap().error(), Some("no result yet"));
    settle().await;
    assert_eq!(health.readiness().await.status(), Status::Ready);
}

#[tokio::test(start_paused = true)]
async fn probes_read_the_snapshot_without_running_checks() {
    let health = Health::builder(Scheduled::default()).background().build().unwrap();
    settle().await;
    assert_eq!(health.state().db.calls(), 1, "first run at start");

    let start = Instant::now();
    for _ in 0..1000 {
        assert_eq!(health.readiness().await.status(), Status::Ready);
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "probes never wait");
    assert_eq!(health.state().db.calls(), 1, "1000 probes, no dependency call");

    for expected_calls in 2..=4 {
        tokio::time::advance(Duration::from_secs(2)).await;
        settle().await;
        assert_eq!(health.state().db.calls(), expected_calls, "one run per interval");
    }
}

#[tokio::test(start_paused = true)]
async fn failures_show_up_on_the_next_scheduled_run() {
    let health = Health::builder(Scheduled::default()).background().build().unwrap();
    settle().await;
    health.state().db.set_down(true);
    assert_eq!(health.readiness().await.status(), Status::Ready, "not run yet");
    tokio::time::advance(Duration::from_secs(2)).await;
    settle().await;
    assert_eq!(health.readiness().await.status(), Status::NotReady);
}

#[tokio::test(start_paused = true)]
async fn a_result_older_than_interval_plus_deadline_is_stale() {
    let health = Health::builder(Scheduled::default()).background().build().unwrap();
    settle().await;
    assert_eq!(health.readiness().await.status(), Status::Ready);

    // The next run hangs: the last pass must not be served past
    // interval (2s) + deadline (500ms).
    health.state().hang.store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_millis(2400)).await;
    settle().await;
    assert_eq!(
        health.readiness().await.status(),
        Status::Ready,
        "2.4s old: still within 2.5s"
    );

    tokio::time::advance(Duration::from_millis(200)).await;
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::NotReady);
    let db = ready.check("db").unwrap();
    assert_eq!(db.reason(), Some(Reason::Stale));
    assert!(
        db.error().unwrap().starts_with("latest result is 2.6s old"),
        "{:?}",
        db.error()
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_registry_stops_its_schedulers() {
    let state = std::sync::Arc::new(Scheduled::default());
    let health = Health::builder_shared(state.clone()).background().build().unwrap();
    settle().await;
    assert_eq!(state.db.calls(), 1);
    drop(health);
    tokio::time::advance(Duration::from_secs(10)).await;
    settle().await;
    assert_eq!(state.db.calls(), 1, "no run after the registry is gone");
    assert_eq!(
        std::sync::Arc::strong_count(&state),
        1,
        "the schedulers released the state"
    );
}

#[test]
fn background_mode_needs_a_runtime() {
    let error = Health::builder(Scheduled::default()).background().build().unwrap_err();
    assert_eq!(error, health_core::BuildError::NoRuntime);
}

/// A check added at run time whose interval is as long as a `Duration` goes.
struct Yearly;

impl Check<Scheduled> for Yearly {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("yearly")
            .interval(Duration::MAX)
            .timeout(CheckSpec::MAX_TIMEOUT)
    }

    fn run<'a>(&'a self, state: &'a Scheduled) -> health_core::BoxFuture<'a, CheckOutcome> {
        Box::pin(async move { CheckOutcome::pass().with_detail("calls", state.db.calls()) })
    }
}

#[tokio::test(start_paused = true)]
async fn the_longest_durations_neither_panic_nor_go_stale() {
    for background in [true, false] {
        let builder = Health::builder(Scheduled::default()).without("db").check(Yearly);
        let health = if background { builder.background() } else { builder }.build().unwrap();
        settle().await;
        assert_eq!(
            health.readiness().await.status(),
            Status::Ready,
            "background: {background}"
        );
        tokio::time::advance(Duration::from_secs(3600 * 24 * 365)).await;
        settle().await;
        let ready = health.readiness().await;
        assert_eq!(ready.status(), Status::Ready, "a year on, background: {background}");
        assert!(ready.check("yearly").unwrap().passed());
    }
}

#[derive(Default)]
struct Booting;

#[health_check(startup, timeout = "100ms", interval = "500ms")]
async fn models_loaded(_state: &Booting) -> bool {
    tests::reachable()
}

#[tokio::test(start_paused = true)]
async fn a_startup_check_is_not_stale_once_start_up_stopped_its_schedule() {
    let health = Health::builder(Booting).background().build().unwrap();
    settle().await;
    assert_eq!(health.startup().await.status(), Status::Started);
    tokio::time::advance(Duration::from_secs(3600)).await;
    settle().await;
    let deep = health.deep().await;
    let check = deep.checks().iter().find(|c| c.name() == "models_loaded").unwrap();
    assert!(check.passed(), "its last result stands: {:?}", check.reason());
}
