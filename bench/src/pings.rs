//! The dependencies the variants check.
//!
//! Every readiness variant checks the same three dependencies: a ping that
//! sleeps 5 ms (a fast database or cache round trip) and counts its calls,
//! so the harness can tell how many dependency calls each probe request
//! cost. The blackholed dependency never answers: it measures how long a
//! probe waits on a hung dependency.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use health_core::prelude::*;

/// How long one ping takes.
pub const PING_LATENCY: Duration = Duration::from_millis(5);

/// The deadline of each ping, for the hand-written handlers. The
/// `#[health_check]` attributes below say the same (a test pins it).
pub const PING_DEADLINE: Duration = Duration::from_millis(250);

/// The state of the three pinged dependencies: a call counter each.
#[derive(Debug, Default)]
pub struct Pings {
    calls: [AtomicU64; 3],
}

impl Pings {
    /// One round trip to dependency `which`.
    async fn ping(&self, which: usize) -> Result<(), io::Error> {
        self.calls[which].fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(PING_LATENCY).await;
        Ok(())
    }

    /// Calls made to the three dependencies so far.
    pub fn calls(&self) -> u64 {
        self.calls.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

/// A critical dependency (a database).
#[health_check(critical, timeout = "250ms", interval = "1s")]
pub async fn ping_db(pings: &Pings) -> Result<(), io::Error> {
    pings.ping(0).await
}

/// A critical dependency (a message broker).
#[health_check(critical, timeout = "250ms", interval = "1s")]
pub async fn ping_broker(pings: &Pings) -> Result<(), io::Error> {
    pings.ping(1).await
}

/// A non-critical dependency (a cache).
#[health_check(timeout = "250ms", interval = "1s")]
pub async fn ping_cache(pings: &Pings) -> Result<(), io::Error> {
    pings.ping(2).await
}

/// A dependency that accepts the call and never answers.
#[derive(Debug, Default)]
pub struct Blackhole {
    calls: AtomicU64,
}

impl Blackhole {
    /// Calls made to the dependency so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

/// The blackholed dependency, under a 50 ms deadline. Its 1 µs interval
/// makes every probe start a run, or join the one in flight, that waits the
/// full deadline (with a longer interval, probes arriving just after a run
/// would be answered from the cache at once).
#[health_check(critical, timeout = "50ms", interval = "1us")]
pub async fn blackholed(blackhole: &Blackhole) -> Result<(), io::Error> {
    blackhole.calls.fetch_add(1, Ordering::Relaxed);
    std::future::pending().await
}

/// The soak's dependencies: checked every 10 ms in background mode, the
/// cache failing every other call, so each check's run history and the
/// registry's transition history fill up and wrap many times over a soak
/// (memory must stay flat regardless).
#[derive(Debug, Default)]
pub struct Churn {
    calls: AtomicU64,
}

impl Churn {
    /// Calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn call(&self) -> u64 {
        self.calls.fetch_add(1, Ordering::Relaxed)
    }
}

/// A critical dependency, checked every 10 ms.
#[health_check(critical, timeout = "250ms", interval = "10ms")]
pub async fn churn_db(churn: &Churn) -> Result<(), io::Error> {
    churn.call();
    Ok(())
}

/// A flapping cache, checked every 10 ms: every other call fails, so its
/// state and readiness (`ready` / `degraded`) change on every run.
#[health_check(timeout = "250ms", interval = "10ms")]
pub async fn churn_cache(churn: &Churn) -> Result<(), io::Error> {
    match churn.call() % 2 {
        0 => Ok(()),
        _ => Err(io::Error::other("flapping")),
    }
}
