//! The answers of a registry: public probe reports (SPEC §6 bodies) and the
//! deep diagnostics report.

use std::time::{Duration, SystemTime};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::report::{serialize_readiness, PublicChecks};
use crate::result::CheckResult;
use crate::spec::Probe;
use crate::status::Status;

/// The answer to one probe: a status and the results of the probe's checks.
///
/// Its `Serialize` impl writes the public body of SPEC §6, which shows per
/// check only pass/fail and a reason class:
///
/// | probe | body |
/// |---|---|
/// | liveness | `{"status":"alive"}`, or `{"status":"dead","checks":{..}}` |
/// | readiness | `{"status":"ready","critical":{..},"degraded":{..}}` (no maps while `shutting_down`) |
/// | startup | `{"status":"started"}`, or `{"status":"starting","checks":{..}}` |
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeReport {
    pub(crate) probe: Probe,
    pub(crate) status: Status,
    pub(crate) checks: Vec<CheckResult>,
}

impl ProbeReport {
    /// The probe answered.
    pub fn probe(&self) -> Probe {
        self.probe
    }

    /// The answer.
    pub fn status(&self) -> Status {
        self.status
    }

    /// 200 or 503.
    pub fn http_status(&self) -> u16 {
        self.status.http_status()
    }

    /// The results of the probe's checks that were consulted, by name.
    pub fn checks(&self) -> &[CheckResult] {
        &self.checks
    }

    /// The result of the check called `name`.
    pub fn check(&self, name: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.name() == name)
    }
}

impl Serialize for ProbeReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let with_checks = match (self.probe, self.status) {
            (Probe::Readiness, Status::ShuttingDown) => false,
            (Probe::Readiness, status) => return serialize_readiness(status, || self.checks.iter(), serializer),
            (_, status) => !status.is_healthy(),
        };
        let mut map = serializer.serialize_map(Some(1 + usize::from(with_checks)))?;
        map.serialize_entry("status", &self.status)?;
        if with_checks {
            map.serialize_entry("checks", &PublicChecks(|| self.checks.iter()))?;
        }
        map.end()
    }
}

/// Full diagnostics (the `/health/deep` body): every check with latency,
/// history, error text (credentials redacted) and details, plus the
/// version, uptime and memory of the process.
///
/// Never serve this publicly: it is meant for an admin listener on loopback
/// or behind a token.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepReport {
    pub(crate) status: Status,
    pub(crate) version: Option<String>,
    pub(crate) uptime: Duration,
    pub(crate) rss_bytes: Option<u64>,
    pub(crate) checks: Vec<CheckResult>,
}

impl DeepReport {
    /// The readiness status (the deep endpoint answers 503 when not ready).
    pub fn status(&self) -> Status {
        self.status
    }

    /// The application version given to the builder.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Time since the registry was built.
    pub fn uptime(&self) -> Duration {
        self.uptime
    }

    /// Resident memory of the process, where the platform tells it.
    pub fn rss_bytes(&self) -> Option<u64> {
        self.rss_bytes
    }

    /// Every check of the registry.
    pub fn checks(&self) -> &[CheckResult] {
        &self.checks
    }
}

impl Serialize for DeepReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("version", &self.version)?;
        map.serialize_entry("uptime_seconds", &self.uptime.as_secs())?;
        map.serialize_entry("rss_mb", &self.rss_bytes.map(megabytes))?;
        let checks = self.checks.iter().map(|c| (c.name(), DeepCheck(c)));
        map.serialize_entry("checks", &MapOf(checks))?;
        map.end()
    }
}

/// Bytes as mebibytes with one decimal.
fn megabytes(bytes: u64) -> f64 {
    (bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0
}

/// A check as the deep endpoint shows it.
struct DeepCheck<'a>(&'a CheckResult);

impl Serialize for DeepCheck<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", if c.passed() { "pass" } else { "fail" })?;
        if let Some(reason) = c.reason() {
            map.serialize_entry("reason", &reason)?;
        }
        map.serialize_entry("critical", &c.is_critical())?;
        map.serialize_entry("probes", &c.probes().iter().map(Probe::as_str).collect::<Vec<_>>())?;
        map.serialize_entry("latency_ms", &c.latency().map(millis))?;
        map.serialize_entry("last_success", &c.last_success().map(rfc3339))?;
        map.serialize_entry("consecutive_failures", &c.consecutive_failures())?;
        map.serialize_entry("error", &c.error())?;
        map.serialize_entry("details", c.details())?;
        map.end()
    }
}

/// A duration in milliseconds with microsecond precision.
pub(crate) fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// A wall-clock time in RFC 3339 (UTC, milliseconds).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Serializes an iterator of pairs as a map.
struct MapOf<I>(I);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)> + Clone> Serialize for MapOf<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.clone())
    }
}
