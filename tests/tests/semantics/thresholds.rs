//! The reported state flips only after `failure_threshold` consecutive
//! failures, or `success_threshold` consecutive passes.

use std::time::Duration;

use health_core::prelude::*;

use crate::Dependency;

#[derive(Default)]
struct Flaky {
    upstream: Dependency,
}

#[health_check(critical, interval = "1s", failure_threshold = 3, success_threshold = 2)]
async fn upstream(state: &Flaky) -> Result<(), String> {
    state.upstream.call()
}

/// Probes once a second, after the cached result expired.
async fn next_status(health: &Health<Flaky>) -> Status {
    tokio::time::advance(Duration::from_millis(1001)).await;
    health.readiness().await.status()
}

#[tokio::test(start_paused = true)]
async fn failures_flip_the_state_only_after_the_threshold() {
    let health = Health::builder(Flaky::default()).build().unwrap();
    // No optimism: a check starts failing, and needs 2 passes to be reported passing.
    let first = health.readiness().await;
    assert_eq!(first.status(), Status::Starting, "1 pass of 2");
    let upstream = first.check("upstream").unwrap();
    assert_eq!(
        upstream.reason(),
        Some(Reason::Pending),
        "no verdict yet, no failure either"
    );
    assert_eq!(
        upstream.error(),
        Some("the latest run passed, 1 time(s) in a row of the 2 that success_threshold needs")
    );
    assert_eq!(next_status(&health).await, Status::Ready, "2 passes");

    health.state().upstream.set_down(true);
    assert_eq!(next_status(&health).await, Status::Ready, "1 failure of 3");
    assert_eq!(next_status(&health).await, Status::Ready, "2 failures of 3");
    assert_eq!(next_status(&health).await, Status::NotReady, "3 failures: flips");
    let upstream = health.readiness().await.check("upstream").cloned().unwrap();
    assert_eq!(upstream.consecutive_failures(), 3);
    assert_eq!(upstream.reason(), Some(Reason::Error));

    health.state().upstream.set_down(false);
    assert_eq!(next_status(&health).await, Status::NotReady, "1 pass of 2");
    let recovering = health.readiness().await.check("upstream").cloned().unwrap();
    assert_eq!(
        recovering.reason(),
        Some(Reason::Error),
        "still failing, for the last failure's reason"
    );
    assert!(recovering
        .error()
        .unwrap()
        .starts_with("the latest run passed, 1 time(s)"));
    assert_eq!(next_status(&health).await, Status::Ready, "2 passes: flips back");
    assert_eq!(health.state().upstream.calls(), 7);
}

#[tokio::test(start_paused = true)]
async fn an_interrupted_streak_starts_over() {
    let health = Health::builder(Flaky::default()).build().unwrap();
    health.readiness().await;
    assert_eq!(next_status(&health).await, Status::Ready);
    health.state().upstream.set_down(true);
    assert_eq!(next_status(&health).await, Status::Ready);
    assert_eq!(next_status(&health).await, Status::Ready);
    health.state().upstream.set_down(false);
    assert_eq!(
        next_status(&health).await,
        Status::Ready,
        "a pass resets the failure streak"
    );
    health.state().upstream.set_down(true);
    assert_eq!(next_status(&health).await, Status::Ready);
    assert_eq!(next_status(&health).await, Status::Ready);
    assert_eq!(next_status(&health).await, Status::NotReady);
}
