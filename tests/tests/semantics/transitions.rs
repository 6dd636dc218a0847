//! Transitions: every change of a check's reported state and of each probe's
//! answer reaches subscribers, once (never once per failing run); a
//! subscriber that falls behind is told what it missed and slows nothing
//! down. (One log line per change: `tests/transition_logs.rs`.)

use std::time::Duration;

use health_core::prelude::*;
use health_core::{CheckState, Transition, Transitions};

use crate::Dependency;

#[derive(Default)]
struct Flapping {
    db: Dependency,
    cache: Dependency,
}

#[health_check(critical, interval = "1s")]
async fn db(state: &Flapping) -> Result<(), String> {
    state.db.call()
}

#[health_check(interval = "1s")]
async fn cache(state: &Flapping) -> Result<(), String> {
    state.cache.call()
}

/// Probes readiness once a second for `seconds` seconds.
async fn probe_every_second(health: &Health<Flapping>, seconds: u64) {
    for _ in 0..seconds {
        tokio::time::advance(Duration::from_millis(1001)).await;
        health.readiness().await;
    }
}

/// Every transition already published, without waiting.
fn drain(changes: &mut Transitions) -> Vec<Transition> {
    let mut seen = Vec::new();
    while let Some(Some(Ok(transition))) = now_or_never(changes.recv()) {
        seen.push(transition);
    }
    seen
}

/// Polls a future once: its output if it is ready at once.
fn now_or_never<F: std::future::Future>(future: F) -> Option<F::Output> {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

fn summary(transitions: &[Transition]) -> Vec<String> {
    transitions.iter().map(ToString::to_string).collect()
}

#[tokio::test(start_paused = true)]
async fn a_check_failing_for_an_hour_changes_once() {
    let health = Health::builder(Flapping::default()).build().unwrap();
    let mut changes = health.subscribe();
    health.state().db.set_down(true);

    probe_every_second(&health, 3600).await;
    assert!(health.state().db.calls() >= 3600, "the check ran every second");
    assert_eq!(
        summary(&drain(&mut changes)),
        [
            "check cache: pending -> pass",
            "check db: pending -> fail (error)",
            "readiness: starting -> not_ready",
        ]
    );

    health.state().db.set_down(false);
    probe_every_second(&health, 2).await;
    assert_eq!(
        summary(&drain(&mut changes)),
        ["check db: fail -> pass", "readiness: not_ready -> ready"]
    );
}

#[tokio::test(start_paused = true)]
async fn every_probe_answer_change_is_published() {
    let health = Health::builder(Flapping::default()).build().unwrap();
    let mut changes = health.subscribe();
    probe_every_second(&health, 1).await;
    health.state().cache.set_down(true);
    probe_every_second(&health, 1).await;
    health.state().db.set_down(true);
    probe_every_second(&health, 1).await;
    health.begin_shutdown();
    let probes: Vec<_> = drain(&mut changes)
        .into_iter()
        .filter_map(|t| match t {
            Transition::Probe(p) => Some((p.probe, p.from, p.to)),
            Transition::Check(_) => None,
        })
        .collect();
    assert_eq!(
        probes,
        [
            (Probe::Readiness, Status::Starting, Status::Ready),
            (Probe::Readiness, Status::Ready, Status::Degraded),
            (Probe::Readiness, Status::Degraded, Status::NotReady),
            (Probe::Readiness, Status::NotReady, Status::ShuttingDown),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_check_transition_carries_what_changed() {
    let health = Health::builder(Flapping::default()).build().unwrap();
    let mut changes = health.subscribe();
    health.state().db.set_down(true);
    health.readiness().await;
    let db = drain(&mut changes)
        .into_iter()
        .find_map(|t| match t {
            Transition::Check(c) if c.check() == "db" => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (db.from, db.to, db.reason),
        (CheckState::Pending, CheckState::Failing, Some(Reason::Error))
    );
    assert!(db.critical);
    assert!(db.at <= std::time::SystemTime::now());
}

#[tokio::test(start_paused = true)]
async fn a_slow_subscriber_misses_the_oldest_and_slows_nothing() {
    let health = Health::builder(Flapping::default()).build().unwrap();
    let mut slow = health.subscribe();
    // Flap the cache every second: two transitions per flip (check, readiness).
    let flips = Transitions::CAPACITY as u64;
    for second in 0..flips {
        health.state().cache.set_down(second % 2 == 0);
        probe_every_second(&health, 1).await;
    }
    assert!(
        health.state().cache.calls() as u64 >= flips,
        "checks ran on time regardless"
    );
    match slow.recv().await {
        Some(Err(health_core::Missed(missed))) => assert!(missed >= flips - 2, "missed {missed}"),
        other => panic!("expected a Missed notice, got {other:?}"),
    }
    assert!(
        matches!(slow.recv().await, Some(Ok(_))),
        "then the oldest kept transition"
    );
}

#[tokio::test(start_paused = true)]
async fn subscribers_see_the_end_when_the_registry_is_gone() {
    let health = Health::builder(Flapping::default()).build().unwrap();
    let mut changes = health.subscribe();
    drop(health);
    assert!(changes.recv().await.is_none());
}
