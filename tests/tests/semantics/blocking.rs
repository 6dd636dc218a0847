//! Blocking checks run on the blocking pool under their deadline, with at
//! most one run in flight: a hung call never piles up threads.
//!
//! The blocking pool runs on real threads, so these tests run on a
//! current-thread runtime with tokio's clock paused: it does not move on its
//! own while a blocking task is in flight, so a deadline passes only when a
//! test moves the clock, and a run that should pass has all the real time it
//! needs. What the tests wait for is signalled, never slept on.

use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use health_core::prelude::*;
use health_core::ProbeReport;
use tokio::sync::Notify;

/// A synchronous dependency that blocks until opened.
#[derive(Clone, Default)]
struct Gate(Arc<GateInner>);

#[derive(Default)]
struct GateInner {
    open: Mutex<bool>,
    opened: Condvar,
    started: AtomicUsize,
    /// Told when a run enters.
    entered: Notify,
}

impl Gate {
    fn pass(&self) -> Result<(), String> {
        self.0.started.fetch_add(1, Ordering::SeqCst);
        self.0.entered.notify_one();
        let mut open = self.0.open.lock().unwrap();
        while !*open {
            open = self.0.opened.wait(open).unwrap();
        }
        Ok(())
    }

    fn open(&self) {
        *self.0.open.lock().unwrap() = true;
        self.0.opened.notify_all();
    }

    fn started(&self) -> usize {
        self.0.started.load(Ordering::SeqCst)
    }
}

#[health_check(critical, blocking, timeout = "50ms", interval = "1ms")]
fn sync_driver(gate: &Gate) -> Result<(), String> {
    gate.pass()
}

/// Readiness, with the paused clock moved on 50 ms (the deadline) at a
/// time for as long as it has not answered: the clock stands still while a
/// blocking run is in flight, so only this lets a deadline pass.
async fn readiness_moving_the_clock(health: &Health<Gate>) -> ProbeReport {
    let mut probe = pin!(health.readiness());
    for _ in 0..100 {
        tokio::select! {
            biased;
            ready = &mut probe => return ready,
            () = std::future::ready(()) => {}
        }
        // Moves the clock, then lets the run's task see it.
        tokio::time::advance(Duration::from_millis(50)).await;
    }
    panic!("no answer after 100 deadlines");
}

#[test]
fn a_hung_blocking_check_times_out_and_is_never_started_twice() {
    let gate = Gate::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let health = Health::builder(gate.clone()).build().unwrap();
        for probe in 1..=3 {
            let ready = readiness_moving_the_clock(&health).await;
            assert_eq!(ready.status(), Status::NotReady, "probe {probe}");
            assert_eq!(ready.check("sync_driver").unwrap().reason(), Some(Reason::Timeout));
            if probe == 1 {
                // The first run has entered the check (and hangs there).
                gate.0.entered.notified().await;
            }
            // Past the 1 ms interval: the next probe asks for a run, and
            // joins the one still in flight.
            tokio::time::advance(Duration::from_millis(2)).await;
        }

        // Open, past the interval: the run in flight ends, or a new one
        // starts; either passes, with the clock standing still until it has
        // (no deadline can pass).
        gate.open();
        tokio::time::advance(Duration::from_millis(2)).await;
        assert_eq!(health.readiness().await.status(), Status::Ready);
    });
    // Dropping the runtime waits for every blocking task it started: each
    // run that was ever started has entered the check by now.
    drop(runtime);
    assert!(
        gate.started() <= 2,
        "{} runs: later probes started runs of their own instead of joining the one in flight \
         (at most the hung one and one after the gate opened)",
        gate.started()
    );
}

#[test]
fn the_function_stays_callable_as_written() {
    let gate = Gate::default();
    gate.open();
    assert_eq!(sync_driver(&gate), Ok(()));
}

#[derive(Clone)]
struct Broken;

#[health_check(blocking)]
fn sync_panics(_state: &Broken) -> bool {
    panic!("driver invariant violated")
}

#[tokio::test(start_paused = true)]
async fn a_panicking_blocking_check_is_a_failure() {
    let health = Health::builder(Broken).build().unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Degraded);
    let check = ready.check("sync_panics").unwrap();
    assert_eq!(check.reason(), Some(Reason::Panicked));
    assert_eq!(check.error(), Some("panicked: driver invariant violated"));
}

/// An error whose `Display` panics: the check's own code, run where the
/// outcome is built.
#[derive(Debug)]
struct UnprintableError;

impl std::fmt::Display for UnprintableError {
    fn fmt(&self, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("cannot print this error")
    }
}

#[derive(Clone, Default)]
struct Unprintable(Arc<AtomicUsize>);

#[health_check(blocking, interval = "1ms")]
fn sync_unprintable(state: &Unprintable) -> Result<(), UnprintableError> {
    state.0.fetch_add(1, Ordering::SeqCst);
    Err(UnprintableError)
}

#[tokio::test(start_paused = true)]
async fn a_blocking_check_whose_error_cannot_be_printed_fails_and_runs_again() {
    let state = Unprintable::default();
    let health = Health::builder(state.clone()).build().unwrap();
    for run in 1..=3 {
        let ready = health.readiness().await;
        let check = ready.check("sync_unprintable").unwrap();
        assert_eq!(check.reason(), Some(Reason::Panicked), "run {run}");
        assert_eq!(check.error(), Some("panicked: cannot print this error"), "run {run}");
        assert_eq!(
            state.0.load(Ordering::SeqCst),
            run,
            "the slot was freed: a new run started"
        );
        // Past the 1 ms interval (the paused clock moves on at once).
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
