//! Background mode: checks run on their own schedule, probes only read the
//! snapshot, and a result whose successor is overdue by more than load
//! explains is `stale` (readiness after 2 s or an interval, liveness after
//! 10 s or three).

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

#[derive(Default)]
struct Stalled;

#[health_check(liveness, readiness, critical, timeout = "100ms", interval = "100ms")]
async fn heartbeat(_state: &Stalled) -> bool {
    tests::reachable()
}

/// Real time, two runtimes: the registry and its scheduler live on a
/// runtime that the test stops driving (a runtime whose thread is blocked:
/// the scheduler stalls, then is stuck), and the probes answer from
/// another. A stall of 1.5 s (fifteen intervals) is load, not death; past
/// 2 s (beyond interval + deadline) readiness reads `stale`, past 10 s
/// liveness does too.
#[test]
fn a_stalled_scheduler_is_stale_only_past_what_load_explains_liveness_last() {
    let stalled = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let probes = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let began_after = Instant::now();
    let health = stalled.block_on(async {
        let health = Health::builder(Stalled).background().build().unwrap();
        while health.readiness().await.status() != Status::Ready {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        health
    });
    // The latest run began in between; the scheduler no longer runs.
    let ended_by = Instant::now();
    let at =
        |since: Instant, after: Duration| std::thread::sleep((since + after).saturating_duration_since(Instant::now()));
    // The answers the registry works out now, each held to what an adapter
    // serves (shared between changes: only the clock moves here).
    let http = health.http();
    let answers = || {
        probes.block_on(async {
            let answers = (health.readiness().await, health.liveness().await);
            for answer in [&answers.0, &answers.1] {
                let request = http::Request::get(answer.probe().default_path()).body(()).unwrap();
                let served = http.respond(&request.into_parts().0).await;
                assert_eq!(served.status(), answer.http_status(), "{:?} served", answer.probe());
            }
            answers
        })
    };

    at(began_after, Duration::from_millis(1500));
    let (ready, live) = answers();
    assert_eq!(
        ready.status(),
        Status::Ready,
        "stalled 1.5 s: busy, {:?}",
        ready.check("heartbeat")
    );
    assert_eq!(live.status(), Status::Alive);

    // Overdue (0.2 s after the run began) by more than 2 s.
    at(ended_by, Duration::from_millis(2400));
    let (ready, live) = answers();
    assert_eq!(ready.status(), Status::NotReady);
    let check = ready.check("heartbeat").unwrap();
    assert_eq!(check.reason(), Some(Reason::Stale));
    assert!(
        check
            .error()
            .unwrap()
            .contains("s overdue, beyond the 2s a busy scheduler is allowed"),
        "{:?}",
        check.error()
    );
    assert_eq!(live.status(), Status::Alive, "liveness allows 10 s");

    at(began_after, Duration::from_millis(9000));
    assert_eq!(answers().1.status(), Status::Alive, "9 s: alive");
    at(ended_by, Duration::from_millis(10_400));
    let live = answers().1;
    assert_eq!(live.status(), Status::Dead, "overdue by more than 10 s: stuck");
    assert_eq!(live.check("heartbeat").unwrap().reason(), Some(Reason::Stale));

    // The runtime runs again: so does the scheduler, at once (its run is
    // long overdue); driven until that run is recorded.
    let runs = || health.history().runs("heartbeat").map_or(0, <[_]>::len);
    let before = runs();
    stalled.block_on(async {
        let next_run = async {
            while runs() == before {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), next_run)
            .await
            .expect("the scheduler ran again");
    });
    let (ready, live) = answers();
    assert_eq!((ready.status(), live.status()), (Status::Ready, Status::Alive));
}

#[tokio::test(start_paused = true)]
async fn a_hung_run_fails_with_timeout_at_its_deadline_not_stale() {
    let health = Health::builder(Scheduled::default()).background().build().unwrap();
    settle().await;
    health.state().hang.store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(2)).await;
    settle().await;
    tokio::time::advance(Duration::from_millis(600)).await;
    settle().await;
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::NotReady);
    assert_eq!(ready.check("db").unwrap().reason(), Some(Reason::Timeout));
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
