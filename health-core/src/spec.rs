//! What a check is, independent of how it runs: its name, probes, criticality,
//! deadline, freshness and thresholds.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// One of the three questions an orchestrator asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Probe {
    /// "Should this process be restarted?" (`/health/live`). Never put
    /// dependency checks here: a database outage must not restart containers.
    Liveness,
    /// "Should this instance receive traffic?" (`/health/ready`).
    Readiness,
    /// "Has this instance finished starting?" (`/health/startup`).
    Startup,
}

impl Probe {
    /// All probes, in the order they are usually listed.
    pub const ALL: [Probe; 3] = [Probe::Liveness, Probe::Readiness, Probe::Startup];

    /// The lowercase name used in reports and configuration (`"liveness"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Probe::Liveness => "liveness",
            Probe::Readiness => "readiness",
            Probe::Startup => "startup",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Probe::Liveness => 1,
            Probe::Readiness => 2,
            Probe::Startup => 4,
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set of probes a check belongs to.
///
/// ```
/// use health_core::{Probe, Probes};
///
/// let probes = Probes::LIVENESS.with(Probe::Readiness);
/// assert!(probes.contains(Probe::Liveness) && probes.contains(Probe::Readiness));
/// assert!(!probes.contains(Probe::Startup));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Probes(u8);

impl Probes {
    /// No probe at all: the check only shows on the deep endpoint and in reports.
    pub const NONE: Probes = Probes(0);
    /// Only the liveness probe.
    pub const LIVENESS: Probes = Probes(1);
    /// Only the readiness probe (the default of `#[health_check]`).
    pub const READINESS: Probes = Probes(2);
    /// Only the startup probe.
    pub const STARTUP: Probes = Probes(4);

    /// This set plus `probe`.
    pub const fn with(self, probe: Probe) -> Probes {
        Probes(self.0 | probe.bit())
    }

    /// The probes in either set.
    pub const fn union(self, other: Probes) -> Probes {
        Probes(self.0 | other.0)
    }

    /// Whether `probe` is in the set.
    pub const fn contains(self, probe: Probe) -> bool {
        self.0 & probe.bit() != 0
    }

    /// The probes in the set, in [`Probe::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Probe> {
        Probe::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

impl fmt::Debug for Probes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The descriptor of a check: everything the runtime needs to know besides how
/// to run it.
///
/// `#[health_check]` builds one at compile time from its options; checks added
/// at run time build one with the same `const` builder methods:
///
/// ```
/// use std::time::Duration;
/// use health_core::{CheckSpec, Probe};
///
/// const SPEC: CheckSpec = CheckSpec::new("search")
///     .critical()
///     .timeout(Duration::from_millis(500))
///     .interval(Duration::from_secs(5));
/// assert!(SPEC.critical && SPEC.probes.contains(Probe::Readiness));
/// assert_eq!(SPEC.failure_threshold, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    /// Name in reports and on the wire.
    pub name: Cow<'static, str>,
    /// Whether a failure makes readiness fail (503 `not_ready`) rather than
    /// degrade it (200 `degraded`).
    pub critical: bool,
    /// The probes the check belongs to.
    pub probes: Probes,
    /// Hard deadline of one run; a run that misses it fails with reason `timeout`.
    pub timeout: Duration,
    /// How long a result stays fresh (cache TTL in on-demand mode, period in
    /// background mode).
    pub interval: Duration,
    /// Consecutive failures before a passing check is reported failing.
    pub failure_threshold: u32,
    /// Consecutive passes before a failing check is reported passing.
    pub success_threshold: u32,
    /// Whether the check is synchronous and runs on the blocking pool.
    pub blocking: bool,
}

impl CheckSpec {
    /// Default deadline of one run: 1 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default freshness of a result: 1 s.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

    /// A non-critical readiness check with the defaults of `#[health_check]`.
    pub const fn new(name: &'static str) -> CheckSpec {
        CheckSpec::with_name(Cow::Borrowed(name))
    }

    /// Like [`CheckSpec::new`] with a name built at run time.
    pub const fn with_name(name: Cow<'static, str>) -> CheckSpec {
        CheckSpec {
            name,
            critical: false,
            probes: Probes::READINESS,
            timeout: CheckSpec::DEFAULT_TIMEOUT,
            interval: CheckSpec::DEFAULT_INTERVAL,
            failure_threshold: 1,
            success_threshold: 1,
            blocking: false,
        }
    }

    /// Marks the check critical: its failure makes readiness answer 503.
    pub const fn critical(mut self) -> CheckSpec {
        self.critical = true;
        self
    }

    /// Replaces the probes the check belongs to.
    pub const fn probes(mut self, probes: Probes) -> CheckSpec {
        self.probes = probes;
        self
    }

    /// Sets the deadline of one run.
    pub const fn timeout(mut self, timeout: Duration) -> CheckSpec {
        self.timeout = timeout;
        self
    }

    /// Sets how long a result stays fresh.
    pub const fn interval(mut self, interval: Duration) -> CheckSpec {
        self.interval = interval;
        self
    }

    /// Sets the consecutive failures needed to report a passing check failing.
    pub const fn failure_threshold(mut self, n: u32) -> CheckSpec {
        self.failure_threshold = n;
        self
    }

    /// Sets the consecutive passes needed to report a failing check passing.
    pub const fn success_threshold(mut self, n: u32) -> CheckSpec {
        self.success_threshold = n;
        self
    }

    /// Marks the check as synchronous (informational; see `#[health_check(blocking)]`).
    pub const fn blocking(mut self) -> CheckSpec {
        self.blocking = true;
        self
    }

    /// Whether the check belongs to `probe`.
    pub const fn in_probe(&self, probe: Probe) -> bool {
        self.probes.contains(probe)
    }

    /// Checks the invariants `#[health_check]` enforces at compile time, for
    /// specs built at run time.
    pub fn validate(&self) -> Result<(), String> {
        if !is_valid_name(&self.name) {
            return Err(format!(
                "check name {:?} must be 1 to 64 characters of A-Z, a-z, 0-9, `_`, `-` or `.`",
                self.name
            ));
        }
        if self.timeout.is_zero() || self.interval.is_zero() {
            return Err(format!(
                "check `{}`: timeout and interval must be above zero",
                self.name
            ));
        }
        if self.failure_threshold == 0 || self.success_threshold == 0 {
            return Err(format!("check `{}`: thresholds must be at least 1", self.name));
        }
        if self.critical && !self.in_probe(Probe::Readiness) {
            return Err(format!(
                "check `{}` is critical but not in readiness: criticality decides readiness only",
                self.name
            ));
        }
        Ok(())
    }
}

/// Whether `name` can name a check: 1 to 64 characters of `[A-Za-z0-9_.-]`, so
/// it is safe as a JSON key, a metric label and an IETF `component` name.
pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}
