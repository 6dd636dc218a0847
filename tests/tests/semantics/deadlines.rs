//! A check that misses its deadline fails with reason `timeout`, its future
//! is dropped, and the probe answers within the largest deadline.

use std::future::pending;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use health_core::prelude::*;
use tokio::time::Instant;

#[derive(Default)]
struct Hangs {
    dropped: AtomicBool,
}

/// Sets the flag when dropped: proves the timed-out future is dropped.
struct DropFlag<'a>(&'a AtomicBool);

impl Drop for DropFlag<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[health_check(critical, timeout = "250ms")]
async fn blackholed(state: &Hangs) -> Result<(), String> {
    let _flag = DropFlag(&state.dropped);
    pending::<()>().await;
    Ok(())
}

#[health_check(timeout = "2s")]
async fn slow_but_in_time(_state: &Hangs) -> bool {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    true
}

#[tokio::test(start_paused = true)]
async fn a_hanging_check_fails_with_timeout_within_the_largest_deadline() {
    let health = Health::builder(Hangs::default()).build().unwrap();
    let start = Instant::now();
    let ready = health.readiness().await;
    let took = start.elapsed();

    assert_eq!(ready.status(), Status::NotReady);
    let hung = ready.check("blackholed").unwrap();
    assert_eq!(hung.reason(), Some(Reason::Timeout));
    assert_eq!(hung.error(), Some("no result within the 250ms deadline"));
    assert!(ready.check("slow_but_in_time").unwrap().passed());
    // Concurrent, not sequential: bounded by the largest deadline (2s), and
    // here by the slowest check (1.5s), not by their sum.
    assert_eq!(took, Duration::from_millis(1500));
    assert!(
        health.state().dropped.load(Ordering::SeqCst),
        "the timed-out future must be dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn the_timeout_is_measured_from_the_start_of_the_run() {
    let health = Health::builder(Hangs::default())
        .without("slow_but_in_time")
        .build()
        .unwrap();
    let start = Instant::now();
    let ready = health.readiness().await;
    assert_eq!(start.elapsed(), Duration::from_millis(250));
    assert_eq!(
        ready.check("blackholed").unwrap().latency(),
        Some(Duration::from_millis(250))
    );
}
