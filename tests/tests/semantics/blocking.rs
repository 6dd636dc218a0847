//! Blocking checks run on the blocking pool under their deadline, with at
//! most one run in flight: a hung call never piles up threads.
//!
//! These tests use a multi-threaded runtime and real time (deadlines of
//! 50 ms), because the blocking pool runs on real threads; what they wait
//! for is signalled through a condition variable, not slept on.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use health_core::prelude::*;

/// A synchronous dependency that blocks until opened.
#[derive(Clone, Default)]
struct Gate(Arc<GateInner>);

#[derive(Default)]
struct GateInner {
    open: Mutex<bool>,
    opened: Condvar,
    started: AtomicUsize,
}

impl Gate {
    fn pass(&self) -> Result<(), String> {
        self.0.started.fetch_add(1, Ordering::SeqCst);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_blocking_check_times_out_and_is_never_started_twice() {
    let gate = Gate::default();
    let health = Health::builder(gate.clone()).build().unwrap();

    for probe in 1..=3 {
        let ready = health.readiness().await;
        assert_eq!(ready.status(), Status::NotReady, "probe {probe}");
        assert_eq!(ready.check("sync_driver").unwrap().reason(), Some(Reason::Timeout));
        tokio::time::sleep(Duration::from_millis(2)).await; // past the 1ms interval
    }
    assert_eq!(gate.started(), 1, "later probes joined the run still in flight");

    gate.open();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Ready);
    assert!(gate.started() <= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_function_stays_callable_as_written() {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
        tokio::time::sleep(Duration::from_millis(2)).await; // past the 1ms interval
    }
}
