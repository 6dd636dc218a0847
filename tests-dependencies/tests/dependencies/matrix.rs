//! The fault matrix every integration runs, in one place.
//!
//! The check under test is registered twice, as a critical check in one
//! registry and as a non-critical one in another, with a short deadline and
//! freshness interval; a [`FaultProxy`] sits between its client and the real
//! server. Then, on real time (real servers):
//!
//! 1. up: readiness passes, with the details the integration promises;
//! 2. a small latency: still passes, and `latency_ms` shows the delay;
//! 3. refused, reset, blackholed, slower than the deadline: the critical
//!    registry answers `not_ready` with the expected reason, within the
//!    deadline plus a margin; after each, the fault is lifted and readiness
//!    passes again within one freshness interval (plus the deadline and the
//!    margin), the client recovering on its own;
//! 4. the non-critical registry answers `degraded` under a fault, `ready`
//!    after it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use health_core::testkit::{Fault, FaultProxy};
use health_core::{BoxFuture, Check, CheckOutcome, CheckResult, CheckSpec, Health, Reason, Status};

use crate::servers::Server;

/// Deadline of the check under test.
pub const TIMEOUT: Duration = Duration::from_millis(400);
/// Freshness interval of the check under test.
pub const INTERVAL: Duration = Duration::from_millis(200);
/// Slack for a shared 2-core machine on every upper bound.
pub const MARGIN: Duration = Duration::from_millis(250);
/// Delay of the "small latency" step (per direction).
const SMALL_DELAY: Duration = Duration::from_millis(30);

/// What a check is expected to report under one fault.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// The next probe fails with this reason within the deadline + margin.
    Fails(Reason),
    /// Probes fail with this reason at the latest after this long (a check
    /// that judges what a background task observed, like MQTT's).
    FailsWithin(Reason, Duration),
    /// The check cannot see this fault (e.g. a TCP connect under a
    /// blackhole): it keeps passing.
    Passes,
    /// Whether the check sees this fault is a race it does not control (a
    /// TCP connect under an immediate reset): it passes, or fails with this
    /// reason, within the deadline + margin; never a timeout.
    PassesOrFails(Reason),
}

/// What an integration promises under each fault.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub refuse: Expect,
    pub reset: Expect,
    pub blackhole: Expect,
    /// Latency beyond the deadline.
    pub slow: Expect,
    /// Whether `latency_ms` measures a round trip through the proxy.
    pub round_trip: bool,
    /// Details a passing result carries.
    pub details: &'static [&'static str],
}

impl Profile {
    /// A check that does a round trip on every run: errors for refused and
    /// reset connections, timeouts for silence and slowness.
    pub const ROUND_TRIP: Profile = Profile {
        refuse: Expect::Fails(Reason::Error),
        reset: Expect::Fails(Reason::Error),
        blackhole: Expect::Fails(Reason::Timeout),
        slow: Expect::Fails(Reason::Timeout),
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

/// Runs the fault matrix on the check `make` builds for a client pointed at
/// the proxy's address.
pub async fn run<C, F>(server: &Server, profile: Profile, make: F)
where
    C: Check<()>,
    F: AsyncFnOnce(SocketAddr) -> C,
{
    let upstream = server.addr().await;
    let proxy = FaultProxy::start(upstream).await.expect("start the fault proxy");
    let check = Arc::new(make(proxy.addr()).await);
    let critical = registry(&check, true);
    let optional = registry(&check, false);
    let name = server.name;

    // 1. Up.
    let up = eventually_passes(&critical, Duration::from_secs(5), &format!("{name} up")).await;
    for detail in profile.details {
        assert!(up.details().get(detail).is_some(), "{name}: no `{detail}` in {up:?}");
    }

    // 2. Slower, within the deadline.
    proxy.set(Fault::Latency(SMALL_DELAY)).await;
    tokio::time::sleep(INTERVAL).await;
    let slowed = probe(&critical).await.1;
    assert!(slowed.passed(), "{name} with {SMALL_DELAY:?} latency: {slowed:?}");
    if profile.round_trip {
        let latency_ms = detail_f64(&slowed, "latency_ms");
        let floor = 2.0 * SMALL_DELAY.as_secs_f64() * 1000.0;
        assert!(
            latency_ms >= floor,
            "{name}: latency_ms {latency_ms} below the injected {floor} ms"
        );
    }
    restore(&proxy, &critical, name, "latency").await;

    // 3. Faults, each followed by a recovery.
    let slow = Fault::Latency(TIMEOUT + Duration::from_millis(300));
    for (fault, expect) in [
        (Fault::Refuse, profile.refuse),
        (Fault::Reset, profile.reset),
        (Fault::Blackhole, profile.blackhole),
        (slow, profile.slow),
    ] {
        proxy.set(fault).await;
        // Let the result observed before the fault go stale.
        tokio::time::sleep(INTERVAL).await;
        let context = format!("{name} under {fault}");
        match expect {
            Expect::Fails(reason) => {
                let (elapsed, result, status) = probe_status(&critical).await;
                assert!(elapsed <= TIMEOUT + MARGIN, "{context}: answered after {elapsed:?}");
                assert_failed(&result, reason, &context);
                assert_eq!(status, Status::NotReady, "{context}: a failing critical check");
            }
            Expect::FailsWithin(reason, bound) => {
                let result = eventually_fails(&critical, bound, &context).await;
                assert_failed(&result, reason, &context);
            }
            Expect::Passes => {
                let (_, result) = probe(&critical).await;
                assert!(
                    result.passed(),
                    "{context}: expected to pass (a fault this check cannot see): {result:?}"
                );
            }
            Expect::PassesOrFails(reason) => {
                let (elapsed, result) = probe(&critical).await;
                assert!(elapsed <= TIMEOUT + MARGIN, "{context}: answered after {elapsed:?}");
                if !result.passed() {
                    assert_failed(&result, reason, &context);
                }
            }
        }
        restore(&proxy, &critical, name, &fault.to_string()).await;
    }

    // 4. Not critical: degraded, then ready again.
    proxy.set(Fault::Refuse).await;
    tokio::time::sleep(INTERVAL).await;
    let degraded = match profile.refuse {
        Expect::Fails(_) => optional.readiness().await.status(),
        Expect::FailsWithin(_, bound) => {
            eventually_fails(&optional, bound, &format!("{name} optional under refuse")).await;
            optional.readiness().await.status()
        }
        Expect::Passes | Expect::PassesOrFails(_) => unreachable!("every check sees a refused connection"),
    };
    assert_eq!(
        degraded,
        Status::Degraded,
        "{name}: a failing non-critical check degrades readiness"
    );
    restore(&proxy, &optional, name, "refuse (not critical)").await;
    assert_eq!(optional.readiness().await.status(), Status::Ready);
}

/// Lifts the fault and expects readiness to pass within one freshness
/// interval (plus a run's deadline and the margin), the client recovering
/// by itself.
async fn restore(proxy: &FaultProxy, health: &Health<()>, name: &str, fault: &str) {
    proxy.set(Fault::PassThrough).await;
    let context = format!("{name} after {fault} was lifted");
    eventually_passes(health, INTERVAL + TIMEOUT + MARGIN, &context).await;
}

/// Probes readiness until the check passes; fails the test after `bound`.
async fn eventually_passes(health: &Health<()>, bound: Duration, context: &str) -> CheckResult {
    let started = Instant::now();
    loop {
        let (_, result) = probe(health).await;
        if result.passed() {
            return result;
        }
        assert!(
            started.elapsed() < bound,
            "{context}: still failing after {:?}: {result:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Probes readiness until the check fails; fails the test after `bound`.
async fn eventually_fails(health: &Health<()>, bound: Duration, context: &str) -> CheckResult {
    let started = Instant::now();
    loop {
        let (_, result) = probe(health).await;
        if !result.passed() {
            return result;
        }
        assert!(started.elapsed() < bound, "{context}: still passing after {bound:?}");
        tokio::time::sleep(INTERVAL / 2).await;
    }
}

fn assert_failed(result: &CheckResult, reason: Reason, context: &str) {
    assert_eq!(result.reason(), Some(reason), "{context}: {result:?}");
    let error = result.error().unwrap_or_default();
    assert!(!error.is_empty(), "{context}: a failure says why: {result:?}");
}

/// One readiness probe: how long it took, and the check's result.
async fn probe(health: &Health<()>) -> (Duration, CheckResult) {
    let (elapsed, result, _) = probe_status(health).await;
    (elapsed, result)
}

async fn probe_status(health: &Health<()>) -> (Duration, CheckResult, Status) {
    let started = Instant::now();
    let report = health.readiness().await;
    let elapsed = started.elapsed();
    let result = report
        .checks()
        .first()
        .cloned()
        .expect("the registry holds the check under test");
    (elapsed, result, report.status())
}

fn detail_f64(result: &CheckResult, key: &str) -> f64 {
    match result.details().get(key) {
        Some(health_core::DetailValue::Float(v)) => *v,
        other => panic!("`{key}` is not a number: {other:?} in {result:?}"),
    }
}

/// A registry holding only `check`, critical or not, with the matrix's
/// deadline and interval.
fn registry<C: Check<()>>(check: &Arc<C>, critical: bool) -> Health<()> {
    let spec = CheckSpec::new(if critical { "dependency" } else { "optional_dependency" })
        .timeout(TIMEOUT)
        .interval(INTERVAL);
    let spec = if critical { spec.critical() } else { spec };
    let tuned = Tuned {
        spec,
        inner: Arc::clone(check),
    };
    Health::builder(()).check(tuned).build().expect("a valid registry")
}

/// The check under test with the matrix's spec (the same check object, so
/// both registries share its client).
struct Tuned<C> {
    spec: CheckSpec,
    inner: Arc<C>,
}

impl<C: Check<()>> Check<()> for Tuned<C> {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn run<'a>(&'a self, state: &'a ()) -> BoxFuture<'a, CheckOutcome> {
        self.inner.run(state)
    }
}

/// Runs `check` once through a registry and returns its result (for checks
/// pointed at something that fails, like a closed port).
async fn run_once<C: Check<()>>(check: C) -> CheckResult {
    let health = Health::builder(()).check(check).build().expect("a valid registry");
    let deep = health.deep().await;
    deep.checks().first().cloned().expect("the registry holds the check")
}

/// Points the check `make` builds at a closed port with a password in the
/// URL (`url` with `{port}` in it) and asserts that the failure's text
/// carries no password, and that a URL in it shows `***` for it.
pub async fn assert_no_credentials<C: Check<()>>(url: &str, make: impl FnOnce(&str) -> C) {
    const SECRET: &str = "s3cret";
    let url = url
        .replace("{secret}", SECRET)
        .replace("{port}", &closed_port().to_string());
    let result = run_once(make(&url)).await;
    assert_eq!(result.reason(), Some(Reason::Error), "{result:?}");
    let error = result.error().expect("a failing check says why");
    let secret = SECRET;
    assert!(!error.contains(secret), "the password leaked: {error}");
    if error.contains("://") {
        assert!(error.contains("***"), "a URL in the error is masked: {error}");
    }
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("its address").port()
}
