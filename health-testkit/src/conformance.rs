//! The conformance run: a check built against a [`FaultProxy`], run through a
//! registry while the proxy injects each fault, and judged step by step.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use health_core::{BoxFuture, Check, CheckOutcome, CheckResult, CheckSpec, Health, Reason, Status};

use crate::fault_proxy::{Fault, FaultProxy};
use crate::report::{ConformanceReport, Row};
use crate::steps::{Declared, Expect, Step};

/// The name the check under test carries in the kit's registries (the table
/// shows the check's own name); distinct from any `#[health_check]` name a
/// test crate may register without state.
const UNDER_TEST: &str = "testkit.conformance.under_test";

/// A latency step well within the deadline is at most this long (per
/// direction), and at most a tenth of the deadline.
const SMALL_LATENCY: Duration = Duration::from_millis(30);

/// How often the kit probes while it waits for a check to pass or fail.
const POLL: Duration = Duration::from_millis(20);

/// The conformance kit's runner: proves that a check fails within its
/// deadline, with the right reason, when its dependency refuses, resets,
/// goes silent or slows down, and passes again, with the same client, once
/// the fault is lifted.
///
/// The check is built once, by the closure given to [`run`](Self::run), for
/// a client pointed at a [`FaultProxy`] in front of the real `upstream`, and
/// run the way the runtime runs it: in a
/// [`Registry`](health_core::Registry), critical, under its deadline, panics
/// caught, reasons classified. What the kit observes is what a readiness
/// probe would report. Its spec's thresholds are set to 1 (the kit judges
/// every run, not the smoothed state); its deadline and interval are kept
/// unless [`timeout`](Self::timeout) or [`interval`](Self::interval) shorten
/// them for the test.
///
/// The steps, in order ([`Step`]): pass-through, a small latency, refuse,
/// reset, blackhole, latency beyond the deadline, each fault followed by its
/// lifting (the check must pass again within one interval plus the margin);
/// then refuse once more with the check registered as not critical
/// (readiness `degraded`, then `ready`).
///
/// ```
/// use std::net::SocketAddr;
/// use std::time::Duration;
///
/// use health_core::{BoxFuture, Check, CheckOutcome, CheckSpec};
/// use health_testkit::Conformance;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// use tokio::net::{TcpListener, TcpStream};
///
/// /// The check under test: one round trip to an echo service per run.
/// struct EchoCheck {
///     addr: SocketAddr,
/// }
///
/// impl<S: Sync> Check<S> for EchoCheck {
///     fn spec(&self) -> CheckSpec {
///         CheckSpec::new("echo")
///             .timeout(Duration::from_millis(200))
///             .interval(Duration::from_millis(100))
///     }
///
///     fn run<'a>(&'a self, _state: &'a S) -> BoxFuture<'a, CheckOutcome> {
///         Box::pin(async move {
///             let round_trip = async {
///                 let mut stream = TcpStream::connect(self.addr).await?;
///                 stream.write_all(b"ping").await?;
///                 let mut echo = [0; 4];
///                 stream.read_exact(&mut echo).await?;
///                 Ok::<_, std::io::Error>(echo)
///             };
///             match round_trip.await {
///                 Ok(echo) if &echo == b"ping" => CheckOutcome::pass(),
///                 Ok(echo) => CheckOutcome::fail(format_args!("echo answered {echo:?}")),
///                 Err(e) => CheckOutcome::fail(format_args!("echo at {}: {e}", self.addr)),
///             }
///         })
///     }
/// }
///
/// # #[tokio::main]
/// # async fn main() -> std::io::Result<()> {
/// // The real dependency: an echo service.
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let upstream = listener.local_addr()?;
/// tokio::spawn(async move {
///     while let Ok((mut socket, _)) = listener.accept().await {
///         tokio::spawn(async move {
///             let (mut read, mut write) = socket.split();
///             let _ = tokio::io::copy(&mut read, &mut write).await;
///         });
///     }
/// });
///
/// let report = Conformance::new(upstream).run(async |addr| EchoCheck { addr }).await;
/// println!("{report}"); // the table: step, expected, observed, elapsed, verdict
/// report.assert_honest();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `.run(..)` to run the check through the faults"]
pub struct Conformance {
    upstream: SocketAddr,
    timeout: Option<Duration>,
    interval: Option<Duration>,
    margin: Duration,
    patience: Duration,
    declared: Vec<Declared>,
}

impl Conformance {
    /// Slack added to every time bound by default: enough for a shared
    /// 2-core CI machine.
    pub const DEFAULT_MARGIN: Duration = Duration::from_millis(250);
    /// How long the check may take to pass for the first time by default
    /// (connecting, authenticating, warming a pool).
    pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(5);

    /// A run against the real dependency at `upstream`.
    pub fn new(upstream: SocketAddr) -> Conformance {
        Conformance {
            upstream,
            timeout: None,
            interval: None,
            margin: Conformance::DEFAULT_MARGIN,
            patience: Conformance::DEFAULT_PATIENCE,
            declared: Vec::new(),
        }
    }

    /// Runs the check under this deadline instead of its own (a shorter one
    /// makes the run faster).
    pub fn timeout(mut self, timeout: Duration) -> Conformance {
        self.timeout = Some(timeout);
        self
    }

    /// Keeps results fresh for this long instead of the check's own interval.
    pub fn interval(mut self, interval: Duration) -> Conformance {
        self.interval = Some(interval);
        self
    }

    /// The slack on every time bound ([`DEFAULT_MARGIN`](Self::DEFAULT_MARGIN)).
    pub fn margin(mut self, margin: Duration) -> Conformance {
        self.margin = margin;
        self
    }

    /// How long the check may take to pass for the first time
    /// ([`DEFAULT_PATIENCE`](Self::DEFAULT_PATIENCE)).
    pub fn patience(mut self, patience: Duration) -> Conformance {
        self.patience = patience;
        self
    }

    /// Declares what the check reports under a fault it cannot see, or sees
    /// otherwise than a round trip would, and why; the table shows the
    /// declaration and its reason, so the run never forces a lie either way.
    ///
    /// For example, a check that only opens a TCP connection passes under a
    /// blackhole (the proxy accepts):
    /// `.declare(Step::Blackhole, Expect::Pass, "a TCP connect only proves that something accepts")`.
    ///
    /// # Panics
    ///
    /// For [`Step::Up`]: a check must pass while its dependency is up.
    #[track_caller]
    pub fn declare(mut self, step: Step, expect: Expect, why: impl Into<Cow<'static, str>>) -> Conformance {
        assert!(
            step != Step::Up,
            "a check must pass while its dependency is up: Step::Up cannot be declared"
        );
        self.declared.retain(|d| d.step != step);
        self.declared.push(Declared {
            step,
            expect,
            why: why.into(),
        });
        self
    }

    /// Builds the check once with `make`, for a client pointed at the proxy's
    /// address, and runs it through every step. Needs a tokio runtime with
    /// the real clock (the proxy relays real sockets).
    ///
    /// # Panics
    ///
    /// When the proxy cannot listen on loopback, or the check's spec (with
    /// the kit's deadline and interval) is invalid.
    pub async fn run<C, F>(self, make: F) -> ConformanceReport
    where
        C: Check<()>,
        F: AsyncFnOnce(SocketAddr) -> C,
    {
        let proxy = FaultProxy::start(self.upstream)
            .await
            .unwrap_or_else(|e| panic!("conformance kit: cannot start the fault proxy on loopback: {e}"));
        let check = Arc::new(make(proxy.addr()).await);
        let own = check.spec();
        let spec = CheckSpec::new(UNDER_TEST)
            .timeout(self.timeout.unwrap_or(own.timeout))
            .interval(self.interval.unwrap_or(own.interval));
        let spec = if own.blocking { spec.blocking() } else { spec };
        let trial = Trial {
            critical: registry(&check, spec.clone().critical()),
            optional: registry(&check, spec.clone()),
            proxy: &proxy,
            timeout: spec.timeout,
            interval: spec.interval,
            margin: self.margin,
        };
        let mut rows = Vec::new();
        rows.push(trial.up(self.patience).await);
        for step in Step::FAULTS {
            let expect = self.expectation(step);
            rows.push(trial.fault(step, expect, true).await);
            rows.push(trial.lift(step, true).await);
        }
        rows.push(trial.fault(Step::Refuse, self.expectation(Step::Refuse), false).await);
        rows.push(trial.lift(Step::Refuse, false).await);
        ConformanceReport {
            check: own.name.into_owned(),
            proxy: proxy.addr(),
            upstream: self.upstream,
            timeout: trial.timeout,
            interval: trial.interval,
            margin: self.margin,
            rows,
            declared: self.declared,
        }
    }

    /// What `step` expects, and whether it was declared.
    fn expectation(&self, step: Step) -> (Expect, bool) {
        match self.declared.iter().find(|d| d.step == step) {
            Some(declared) => (declared.expect, true),
            None => (step.default_expectation(), false),
        }
    }
}

/// The small latency of [`Step::Latency`] for a deadline.
fn small_latency(timeout: Duration) -> Duration {
    SMALL_LATENCY.min(timeout / 10)
}

/// The fault the proxy injects for a step.
fn fault_of(step: Step, timeout: Duration, margin: Duration) -> Fault {
    match step {
        Step::Up => Fault::PassThrough,
        Step::Latency => Fault::Latency(small_latency(timeout)),
        Step::Refuse => Fault::Refuse,
        Step::Reset => Fault::Reset,
        Step::Blackhole => Fault::Blackhole,
        Step::Slow => Fault::Latency(timeout.saturating_add(margin)),
    }
}

/// One readiness probe as the kit saw it.
struct Sample {
    result: CheckResult,
    status: Status,
    elapsed: Duration,
}

/// The registries and the proxy of one run.
struct Trial<'p> {
    critical: Health<()>,
    optional: Health<()>,
    proxy: &'p FaultProxy,
    timeout: Duration,
    interval: Duration,
    margin: Duration,
}

impl Trial<'_> {
    fn health(&self, critical: bool) -> &Health<()> {
        if critical {
            &self.critical
        } else {
            &self.optional
        }
    }

    /// Pass-through: the check passes within `patience`.
    async fn up(&self, patience: Duration) -> Row {
        let started = Instant::now();
        let sample = self.until(true, patience, Sample::passed).await;
        let mut row = self.row(Step::Up, false, true, Expect::Pass, false, Some(patience), sample);
        row.elapsed = started.elapsed();
        row
    }

    /// Injects the fault of `step` and judges the check under it.
    async fn fault(&self, step: Step, (expect, declared): (Expect, bool), critical: bool) -> Row {
        self.proxy.set(fault_of(step, self.timeout, self.margin)).await;
        let injected = Instant::now();
        let once = self.timeout.saturating_add(self.margin);
        let (sample, bound) = match expect {
            Expect::FailWithin(_, within) => {
                let sample = self.until(critical, within, |s| !s.passed()).await;
                (
                    Sample {
                        elapsed: injected.elapsed(),
                        ..sample
                    },
                    within,
                )
            }
            Expect::Pass | Expect::Fail(_) | Expect::PassOrFail(_) => {
                // Let the result observed before the fault go stale, so the
                // next probe runs the check under the fault.
                tokio::time::sleep(self.interval).await;
                (self.probe(critical).await, once)
            }
        };
        let bound = (expect != Expect::Pass).then_some(bound);
        self.row(step, false, critical, expect, declared, bound, sample)
    }

    /// Lifts the fault of `step`: the check passes again within one interval
    /// plus the margin, with the same client.
    async fn lift(&self, step: Step, critical: bool) -> Row {
        self.proxy.set(Fault::PassThrough).await;
        let lifted = Instant::now();
        let bound = self.interval.saturating_add(self.margin);
        let sample = self.until(critical, bound, Sample::passed).await;
        let sample = Sample {
            elapsed: lifted.elapsed(),
            ..sample
        };
        self.row(step, true, critical, Expect::Pass, false, Some(bound), sample)
    }

    /// Probes until `wanted` holds or `bound` has passed; the last sample.
    async fn until(&self, critical: bool, bound: Duration, wanted: impl Fn(&Sample) -> bool) -> Sample {
        let started = Instant::now();
        loop {
            let sample = self.probe(critical).await;
            if wanted(&sample) || started.elapsed() >= bound {
                return sample;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// One readiness probe of the registry.
    async fn probe(&self, critical: bool) -> Sample {
        let started = Instant::now();
        let report = self.health(critical).readiness().await;
        let elapsed = started.elapsed();
        let result = report
            .check(UNDER_TEST)
            .cloned()
            .expect("the kit's registry holds the check under test");
        Sample {
            result,
            status: report.status(),
            elapsed,
        }
    }

    /// Judges a sample against what the step expects.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        step: Step,
        lifted: bool,
        critical: bool,
        expect: Expect,
        declared: bool,
        bound: Option<Duration>,
        sample: Sample,
    ) -> Row {
        let problem = judge(expect, bound, critical, &sample);
        Row {
            step,
            fault: fault_of(step, self.timeout, self.margin),
            lifted,
            critical,
            expect,
            declared,
            bound,
            result: sample.result,
            status: sample.status,
            elapsed: sample.elapsed,
            problem,
        }
    }
}

impl Sample {
    fn passed(&self) -> bool {
        self.result.passed()
    }
}

/// What is wrong with `sample` under `expect`, if anything.
fn judge(expect: Expect, bound: Option<Duration>, critical: bool, sample: &Sample) -> Option<String> {
    let result = &sample.result;
    let passed = result.passed();
    let reason_ok = |reason: Reason| result.reason() == Some(reason);
    let outcome = match expect {
        Expect::Pass if passed => None,
        Expect::Pass => Some("expected to pass".to_owned()),
        Expect::Fail(reason) | Expect::FailWithin(reason, _) if !passed && reason_ok(reason) => None,
        Expect::Fail(reason) | Expect::FailWithin(reason, _) => Some(format!("expected to fail with `{reason}`")),
        Expect::PassOrFail(_) if passed => None,
        Expect::PassOrFail(reason) if reason_ok(reason) => None,
        Expect::PassOrFail(reason) => Some(format!("expected to pass or fail with `{reason}`")),
    };
    let late = bound
        .filter(|bound| sample.elapsed > *bound)
        .map(|bound| format!("took {:.1} ms, beyond {bound:?}", sample.elapsed.as_secs_f64() * 1000.0));
    let silent =
        (!passed && result.error().is_none_or(str::is_empty)).then(|| "a failure without error text".to_owned());
    let wanted_status = match (passed, critical) {
        (true, _) => Status::Ready,
        (false, true) => Status::NotReady,
        (false, false) => Status::Degraded,
    };
    let status = (sample.status != wanted_status).then(|| {
        format!(
            "readiness answered `{}` where `{}` follows from the check",
            sample.status, wanted_status
        )
    });
    let problems: Vec<String> = [outcome, late, silent, status].into_iter().flatten().collect();
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// A registry holding only the check under test (annotated checks without
/// state, which join every registry, are left out), with `spec`.
fn registry<C: Check<()>>(check: &Arc<C>, spec: CheckSpec) -> Health<()> {
    let build = |without: &[String]| {
        let tuned = Tuned {
            spec: spec.clone(),
            inner: Arc::clone(check),
        };
        without
            .iter()
            .fold(Health::builder(()).check(tuned), |builder, name| {
                builder.without(name.clone())
            })
            .build()
            .unwrap_or_else(|e| panic!("conformance kit: the check under test is not valid: {e}"))
    };
    let health = build(&[]);
    let others: Vec<String> = health
        .checks()
        .filter(|s| s.name != UNDER_TEST)
        .map(|s| s.name.to_string())
        .collect();
    if others.is_empty() {
        health
    } else {
        build(&others)
    }
}

/// The check under test with the kit's spec; both registries share the one
/// check object, so its client is built once.
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

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use health_core::{BoxFuture, Check, CheckOutcome, CheckSpec, Reason};

    use super::Conformance;
    use crate::fault_proxy::tests::echo_server;
    use crate::report::ConformanceReport;
    use crate::steps::{Expect, Step};

    /// How the check under test lies, if it does.
    #[derive(Clone, Copy, PartialEq)]
    enum Behaviour {
        Honest,
        /// Swallows every error.
        AlwaysPasses,
        /// Fails for good after its first failure (a client never rebuilt).
        NeverRecovers,
    }

    /// A round trip to an echo server on a fresh connection per run.
    struct Echo {
        addr: SocketAddr,
        behaviour: Behaviour,
        broken: AtomicBool,
    }

    impl Echo {
        async fn round_trip(&self) -> std::io::Result<()> {
            let mut stream = TcpStream::connect(self.addr).await?;
            stream.write_all(b"ping").await?;
            let mut echo = [0; 4];
            stream.read_exact(&mut echo).await?;
            Ok(())
        }
    }

    impl Check<()> for Echo {
        fn spec(&self) -> CheckSpec {
            CheckSpec::new("echo")
        }

        fn run<'a>(&'a self, _state: &'a ()) -> BoxFuture<'a, CheckOutcome> {
            Box::pin(async move {
                if self.broken.load(Ordering::SeqCst) {
                    return CheckOutcome::fail("broken since the first failure");
                }
                match (self.round_trip().await, self.behaviour) {
                    (Ok(()), _) | (Err(_), Behaviour::AlwaysPasses) => CheckOutcome::pass(),
                    (Err(e), behaviour) => {
                        self.broken
                            .store(behaviour == Behaviour::NeverRecovers, Ordering::SeqCst);
                        CheckOutcome::fail(format_args!("echo: {e}"))
                    }
                }
            })
        }
    }

    async fn run(behaviour: Behaviour, tune: impl FnOnce(Conformance) -> Conformance) -> ConformanceReport {
        let kit = Conformance::new(echo_server().await)
            .timeout(Duration::from_millis(150))
            .interval(Duration::from_millis(50));
        tune(kit)
            .run(async |addr| Echo {
                addr,
                behaviour,
                broken: AtomicBool::new(false),
            })
            .await
    }

    fn wrong(report: &ConformanceReport) -> Vec<(Step, bool)> {
        let rows = report.rows().iter().filter(|r| !r.is_ok());
        rows.map(|r| (r.step(), r.is_lifted())).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_honest_check_passes_every_step_and_prints_the_table() {
        let report = run(Behaviour::Honest, |kit| kit).await;
        let table = report.to_string();
        assert!(report.is_honest(), "{table}");
        assert_eq!(report.rows().len(), 13);
        assert_eq!(
            report.row(Step::Blackhole).unwrap().result().reason(),
            Some(Reason::Timeout)
        );
        assert!(table.contains("| blackhole "), "{table}");
        assert!(table.ends_with("honest: 13 of 13 steps as expected"), "{table}");
        report.assert_honest();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_check_that_swallows_errors_is_caught_where_it_answers() {
        // Under silence and slowness the runtime's deadline still reports
        // `timeout`: only the faults the check answers to show the lie.
        let report = run(Behaviour::AlwaysPasses, |kit| kit).await;
        let faults = [Step::Refuse, Step::Reset, Step::Refuse];
        assert_eq!(wrong(&report), faults.map(|step| (step, false)), "{report}");
        let refuse = report.row(Step::Refuse).unwrap();
        assert_eq!(refuse.problem(), Some("expected to fail with `error`"), "{report}");
        assert!(report.to_string().contains("NOT honest: 3 of 13"), "{report}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_check_that_never_recovers_is_caught_once_faults_are_lifted() {
        let report = run(Behaviour::NeverRecovers, |kit| kit).await;
        let expected = [
            (Step::Refuse, true),
            (Step::Reset, true),
            // Failing at once with its latched error, not with a timeout.
            (Step::Blackhole, false),
            (Step::Blackhole, true),
            (Step::Slow, false),
            (Step::Slow, true),
            (Step::Refuse, true),
        ];
        assert_eq!(wrong(&report), expected, "{report}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn declarations_replace_the_default_and_show_in_the_table() {
        let why = "this check reports silence as an error";
        let report = run(Behaviour::Honest, |kit| {
            kit.declare(Step::Blackhole, Expect::Fail(Reason::Error), why)
        })
        .await;
        let blackhole = report.row(Step::Blackhole).unwrap();
        assert!(blackhole.is_declared());
        assert_eq!(
            blackhole.problem(),
            Some("expected to fail with `error`"),
            "the run's deadline still reports `timeout`: {report}"
        );
        assert!(report.to_string().contains(why));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[should_panic(expected = "is not honest under every fault")]
    async fn assert_honest_fails_the_test_with_the_table() {
        run(Behaviour::AlwaysPasses, |kit| kit).await.assert_honest();
    }

    #[test]
    #[should_panic(expected = "Step::Up cannot be declared")]
    fn up_cannot_be_declared() {
        let _ = Conformance::new(([127, 0, 0, 1], 9).into()).declare(Step::Up, Expect::Pass, "no");
    }
}
