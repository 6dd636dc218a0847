//! The fault matrix every integration runs, on the conformance kit
//! (`health_testkit::Conformance`): the built-in checks are proven the
//! way users prove their own.
//!
//! The kit registers the check under test as a critical check in one
//! registry and as a non-critical one in another, with the matrix's short
//! deadline and freshness interval, behind a fault proxy in front of the
//! real server. Then, on real time (real servers):
//!
//! 1. up: readiness passes, with the details the integration promises;
//! 2. a small latency (30 ms per direction): still passes, and a round-trip
//!    check's `latency_ms` shows the delay;
//! 3. refused, reset, blackholed, slower than the deadline: the critical
//!    registry answers `not_ready` with the expected reason and an error
//!    text, within the deadline plus a margin; after each, the fault is
//!    lifted and readiness passes again within one freshness interval plus
//!    the margin, the client recovering on its own;
//! 4. the non-critical registry answers `degraded` under a refused
//!    connection, `ready` after it.
//!
//! Checks that cannot see a fault as a round trip would declare what they
//! report instead, with the reason; the kit prints the table either way
//! (`cargo test -p tests-dependencies -- --nocapture` shows it).

use std::time::Duration;

use health_core::{Check, CheckResult};
use health_testkit::{Conformance, Expect, Fault, Step};

use crate::servers::Server;

/// Deadline of the check under test.
pub const TIMEOUT: Duration = Duration::from_millis(400);
/// Freshness interval of the check under test.
pub const INTERVAL: Duration = Duration::from_millis(200);
/// Slack for a shared 2-core machine on every upper bound.
pub const MARGIN: Duration = Duration::from_millis(250);

/// What an integration promises beyond the kit's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Profile<'a> {
    /// Expectations that differ from a round trip's, with the reason.
    pub declared: &'a [(Step, Expect, &'static str)],
    /// Whether `latency_ms` measures a round trip through the proxy.
    pub round_trip: bool,
    /// Details a passing result carries.
    pub details: &'static [&'static str],
}

impl Profile<'static> {
    /// A check that does a round trip on every run: errors for refused and
    /// reset connections, timeouts for silence and slowness (the kit's
    /// defaults).
    pub const ROUND_TRIP: Profile<'static> = Profile {
        declared: &[],
        round_trip: true,
        details: &["latency_ms"],
    };
}

/// The details of a checked connection pool.
pub const POOL_DETAILS: &[&str] = &[
    "latency_ms",
    "server_version",
    "pool_size",
    "pool_available",
    "pool_in_use",
    "pool_max",
];

/// Runs the conformance kit on the check `make` builds for a client pointed
/// at the proxy's address; prints the table and fails with it unless every
/// step is as expected; then checks the integration's details.
pub async fn run<C, F>(server: &Server, profile: Profile<'_>, make: F)
where
    C: Check<()>,
    F: AsyncFnOnce(std::net::SocketAddr) -> C,
{
    let upstream = server.addr().await;
    let kit = Conformance::new(upstream)
        .timeout(TIMEOUT)
        .interval(INTERVAL)
        .margin(MARGIN);
    let kit = profile
        .declared
        .iter()
        .fold(kit, |kit, &(step, expect, why)| kit.declare(step, expect, why));
    let report = kit.run(make).await;
    let name = server.name;
    println!("{name}:\n{report}\n");
    report.assert_honest();

    let up = report.row(Step::Up).expect("an up row").result();
    for detail in profile.details {
        assert!(up.details().get(detail).is_some(), "{name}: no `{detail}` in {up:?}");
    }
    let slowed = report.row(Step::Latency).expect("a latency row");
    if let (true, Fault::Latency(delay)) = (profile.round_trip, slowed.fault()) {
        let latency_ms = detail_f64(slowed.result(), "latency_ms");
        let floor = 2.0 * delay.as_secs_f64() * 1000.0;
        assert!(
            latency_ms >= floor,
            "{name}: latency_ms {latency_ms} below the injected {floor} ms"
        );
    }
}

fn detail_f64(result: &CheckResult, key: &str) -> f64 {
    match result.details().get(key) {
        Some(health_core::DetailValue::Float(v)) => *v,
        other => panic!("`{key}` is not a number: {other:?} in {result:?}"),
    }
}
