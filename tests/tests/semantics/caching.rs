//! Results are reused while fresh, and concurrent probes share one run: a
//! probe storm never becomes a dependency storm.

use std::time::Duration;

use health_core::prelude::*;

use crate::Dependency;

#[derive(Default)]
struct Slow {
    db: Dependency,
}

#[health_check(critical, timeout = "1s", interval = "5s")]
async fn slow_db(state: &Slow) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    state.db.call()
}

#[tokio::test(start_paused = true)]
async fn concurrent_probes_share_one_run() {
    let health = Health::builder(Slow::default()).build().unwrap();
    let probes: Vec<_> = (0..100)
        .map(|_| {
            let health = health.clone();
            tokio::spawn(async move { health.readiness().await.status() })
        })
        .collect();
    for probe in probes {
        assert_eq!(probe.await.unwrap(), Status::Ready);
    }
    assert_eq!(
        health.state().db.calls(),
        1,
        "100 concurrent probes, one dependency call"
    );
}

#[tokio::test(start_paused = true)]
async fn a_result_is_reused_while_younger_than_the_interval() {
    let health = Health::builder(Slow::default()).build().unwrap();
    health.readiness().await;
    assert_eq!(health.state().db.calls(), 1);

    tokio::time::advance(Duration::from_millis(4800)).await;
    for _ in 0..50 {
        health.readiness().await;
    }
    assert_eq!(health.state().db.calls(), 1, "fresh for 5s after the result");

    tokio::time::advance(Duration::from_millis(300)).await;
    health.readiness().await;
    assert_eq!(health.state().db.calls(), 2, "stale after 5s: runs again");
}

#[tokio::test(start_paused = true)]
async fn a_probe_that_gives_up_does_not_cancel_the_shared_run() {
    let health = Health::builder(Slow::default()).build().unwrap();
    let impatient = tokio::time::timeout(Duration::from_millis(10), health.readiness()).await;
    assert!(impatient.is_err(), "the probe gave up before the check finished");
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Ready);
    assert_eq!(
        health.state().db.calls(),
        1,
        "the second probe joined the run the first one started"
    );
}

#[tokio::test(start_paused = true)]
async fn failures_are_cached_too() {
    let health = Health::builder(Slow::default()).build().unwrap();
    health.state().db.set_down(true);
    assert_eq!(health.readiness().await.status(), Status::NotReady);
    health.state().db.set_down(false);
    assert_eq!(
        health.readiness().await.status(),
        Status::NotReady,
        "cached for its interval"
    );
    tokio::time::advance(Duration::from_secs(6)).await;
    assert_eq!(health.readiness().await.status(), Status::Ready);
    assert_eq!(health.state().db.calls(), 2);
}
