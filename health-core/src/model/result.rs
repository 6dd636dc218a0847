//! What the runtime knows about a check after running it: the observation of
//! one run, and the reported result with thresholds and history applied.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::model::outcome::{CheckOutcome, Details, Verdict};
use crate::model::probe::Probes;
use crate::model::spec::CheckSpec;
use crate::redact;

/// A check's name as results carry it: static names are borrowed, names
/// built at run time shared, so copying a result never copies its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CheckName {
    Static(&'static str),
    Shared(Arc<str>),
}

impl CheckName {
    pub fn of(spec: &CheckSpec) -> CheckName {
        match &spec.name {
            Cow::Borrowed(name) => CheckName::Static(name),
            Cow::Owned(name) => CheckName::Shared(Arc::from(name.as_str())),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            CheckName::Static(name) => name,
            CheckName::Shared(name) => name,
        }
    }
}

/// Why a check is reported failing: a closed set, safe to show publicly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The check ran and reported a failure (an `Err`, `false` or a failing
    /// [`CheckOutcome`]).
    Error,
    /// The check missed its deadline.
    Timeout,
    /// The check panicked; the runtime caught it.
    Panicked,
    /// In background mode, the latest result is older than the check's
    /// interval plus its deadline: the scheduler is not keeping up.
    Stale,
    /// The check has not established a reported state yet: it has no result
    /// yet, or (with `success_threshold` above 1) it has passed fewer times
    /// in a row than its threshold since the registry started, without a
    /// failure in between. No optimism: it counts as failing, and readiness
    /// answers `starting` while a readiness check is pending.
    Pending,
}

impl Reason {
    /// The name used on the wire (`"timeout"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Error => "error",
            Reason::Timeout => "timeout",
            Reason::Panicked => "panicked",
            Reason::Stale => "stale",
            Reason::Pending => "pending",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The record of one run of a check (internal: thresholds not applied).
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    /// `None` when the run passed.
    pub failure: Option<Reason>,
    /// Error text, already redacted; shared by every result showing it.
    pub error: Option<Arc<str>>,
    /// `None` when empty; shared by every result showing them.
    pub details: Option<Arc<Details>>,
    pub latency: Duration,
    /// When the run ended (drives freshness and staleness; shown as wall
    /// time in reports).
    pub finished: Instant,
}

/// How a run ended: the check returned (or panicked), or its deadline passed.
pub(crate) enum RunEnd {
    Returned(CheckOutcome),
    MissedDeadline,
}

impl Observation {
    /// Records how a run that started at `started` ended.
    pub fn new(end: RunEnd, deadline: Duration, started: Instant) -> Observation {
        let (failure, error, details) = match end {
            RunEnd::MissedDeadline => (
                Some(Reason::Timeout),
                Some(Arc::from(format!("no result within the {deadline:?} deadline"))),
                Details::default(),
            ),
            RunEnd::Returned(outcome) => {
                let (verdict, message, details) = outcome.into_parts();
                let failure = match verdict {
                    Verdict::Pass => None,
                    Verdict::Fail => Some(Reason::Error),
                    Verdict::Panicked => Some(Reason::Panicked),
                };
                let error = message.map(|m| Arc::from(redact::bounded(&m)));
                (failure, error, details)
            }
        };
        let finished = Instant::now();
        Observation {
            failure,
            error,
            details: (!details.is_empty()).then(|| Arc::new(details.redacted())),
            latency: finished.saturating_duration_since(started),
            finished,
        }
    }

    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// The reported state of a check: its verdict (after thresholds), the latest
/// observation and its history. Fields of a derived report hold one.
///
/// Public serialization (`Serialize`) shows only `status` and `reason`; the
/// error text and details are reachable through accessors and the deep
/// report, never through a public body.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub(crate) name: CheckName,
    pub(crate) critical: bool,
    pub(crate) probes: Probes,
    pub(crate) failure: Option<Reason>,
    pub(crate) error: Option<Arc<str>>,
    pub(crate) details: Option<Arc<Details>>,
    pub(crate) latency: Option<Duration>,
    pub(crate) observed_at: Option<Instant>,
    pub(crate) last_success: Option<Instant>,
    pub(crate) consecutive_failures: u32,
    /// When the reported state last changed.
    pub(crate) since: Option<Instant>,
}

impl CheckResult {
    /// The result of a single run, without history (what a one-shot
    /// [`HealthReport::collect`](crate::HealthReport::collect) produces).
    pub(crate) fn from_single_run(spec: &CheckSpec, observation: Observation) -> CheckResult {
        let passed = observation.passed();
        CheckResult {
            name: CheckName::of(spec),
            critical: spec.critical,
            probes: spec.probes,
            failure: observation.failure,
            error: observation.error,
            details: observation.details,
            latency: Some(observation.latency),
            observed_at: Some(observation.finished),
            last_success: passed.then_some(observation.finished),
            consecutive_failures: u32::from(!passed),
            since: Some(observation.finished),
        }
    }

    /// The check's name.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// Whether the check is critical for readiness.
    pub fn is_critical(&self) -> bool {
        self.critical
    }

    /// The probes the check belongs to.
    pub fn probes(&self) -> Probes {
        self.probes
    }

    /// Whether the check is reported passing.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// Why the check is reported failing; `None` when it passes.
    pub fn reason(&self) -> Option<Reason> {
        self.failure
    }

    /// The error text of the latest run, credentials redacted.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The details of the latest run.
    pub fn details(&self) -> &Details {
        static NONE: Details = Details::new();
        self.details.as_deref().unwrap_or(&NONE)
    }

    /// How long the latest run took.
    pub fn latency(&self) -> Option<Duration> {
        self.latency
    }

    /// When the latest run ended.
    pub fn observed_at(&self) -> Option<SystemTime> {
        self.observed_at.map(wall_time)
    }

    /// When the check last passed.
    pub fn last_success(&self) -> Option<SystemTime> {
        self.last_success.map(wall_time)
    }

    /// When the reported state (passing, failing, pending) last changed.
    pub fn since(&self) -> Option<SystemTime> {
        self.since.map(wall_time)
    }

    /// How many runs in a row have failed.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// The public view: pass/fail and a reason class, nothing else.
    pub fn public(&self) -> PublicCheck {
        PublicCheck { failure: self.failure }
    }
}

/// The wall-clock time of a runtime instant. Runs record only the
/// monotonic clock (one read fewer per run); reports convert when shown.
pub(crate) fn wall_time(at: Instant) -> SystemTime {
    let age = Instant::now().saturating_duration_since(at);
    SystemTime::now() - age
}

/// What public probes show of a check: `{"status":"pass"}` or
/// `{"status":"fail","reason":"timeout"}`. The type holds nothing else, so no
/// configuration can make a public body leak error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicCheck {
    failure: Option<Reason>,
}

impl PublicCheck {
    /// Whether the check passes.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// Why it fails.
    pub fn reason(&self) -> Option<Reason> {
        self.failure
    }
}
