//! What a check is, independent of how it runs: its name, probes, criticality,
//! deadline, freshness and thresholds.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::model::probe::{Probe, Probes};

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
#[non_exhaustive]
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
    /// The longest deadline accepted: orchestrators give up on a probe long
    /// before (Kubernetes waits 1 s by default).
    pub const MAX_TIMEOUT: Duration = health_rules::MAX_TIMEOUT;

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

    /// Checks the rules `#[health_check]` enforces at compile time, for specs
    /// built at run time ([`HealthBuilder::build`](crate::HealthBuilder::build)
    /// calls it for every check): a valid name, durations above zero, a
    /// deadline of at most [`CheckSpec::MAX_TIMEOUT`], thresholds of at least
    /// 1, and `critical` only in readiness.
    ///
    /// ```
    /// use std::time::Duration;
    /// use health_core::{CheckSpec, SpecError};
    ///
    /// assert!(CheckSpec::new("db").validate().is_ok());
    /// let too_long = CheckSpec::new("db").timeout(Duration::MAX);
    /// assert!(matches!(too_long.validate(), Err(SpecError::TimeoutTooLong { .. })));
    /// ```
    pub fn validate(&self) -> Result<(), SpecError> {
        let name = || self.name.to_string();
        if !health_rules::is_valid_name(&self.name) {
            return Err(SpecError::InvalidName { name: name() });
        }
        if self.timeout.is_zero() {
            return Err(SpecError::ZeroDuration {
                name: name(),
                option: "timeout",
            });
        }
        if self.interval.is_zero() {
            return Err(SpecError::ZeroDuration {
                name: name(),
                option: "interval",
            });
        }
        if self.timeout > CheckSpec::MAX_TIMEOUT {
            return Err(SpecError::TimeoutTooLong {
                name: name(),
                timeout: self.timeout,
            });
        }
        if self.failure_threshold == 0 {
            return Err(SpecError::ZeroThreshold {
                name: name(),
                option: "failure_threshold",
            });
        }
        if self.success_threshold == 0 {
            return Err(SpecError::ZeroThreshold {
                name: name(),
                option: "success_threshold",
            });
        }
        if self.critical && !self.in_probe(Probe::Readiness) {
            return Err(SpecError::CriticalOutsideReadiness { name: name() });
        }
        Ok(())
    }
}

/// Why a [`CheckSpec`] built at run time breaks a rule `#[health_check]`
/// enforces at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecError {
    /// The name is not 1 to 64 characters of `A-Z`, `a-z`, `0-9`, `_`, `-`, `.`.
    InvalidName {
        /// The name given.
        name: String,
    },
    /// `timeout` or `interval` is zero.
    ZeroDuration {
        /// The check's name.
        name: String,
        /// `"timeout"` or `"interval"`.
        option: &'static str,
    },
    /// The deadline is longer than [`CheckSpec::MAX_TIMEOUT`].
    TimeoutTooLong {
        /// The check's name.
        name: String,
        /// The deadline given.
        timeout: Duration,
    },
    /// `failure_threshold` or `success_threshold` is zero.
    ZeroThreshold {
        /// The check's name.
        name: String,
        /// `"failure_threshold"` or `"success_threshold"`.
        option: &'static str,
    },
    /// `critical` on a check outside readiness.
    CriticalOutsideReadiness {
        /// The check's name.
        name: String,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::InvalidName { name } => write!(f, "check name {name:?} must be {}", health_rules::NAME_RULE),
            SpecError::ZeroDuration { name, option } => {
                write!(f, "check `{name}`: `{option}` must be above zero")
            }
            SpecError::TimeoutTooLong { name, timeout } => write!(
                f,
                "check `{name}`: a timeout of {timeout:?} is longer than {:?}: probes give up long before; \
                 use a longer `interval` with background mode for slow checks",
                CheckSpec::MAX_TIMEOUT
            ),
            SpecError::ZeroThreshold { name, option } => write!(
                f,
                "check `{name}`: `{option}` must be at least 1 (1 flips the state on the first result)"
            ),
            SpecError::CriticalOutsideReadiness { name } => write!(
                f,
                "check `{name}` is critical but not in readiness: criticality decides readiness only, \
                 and a dependency failure must never restart a container"
            ),
        }
    }
}

impl std::error::Error for SpecError {}
