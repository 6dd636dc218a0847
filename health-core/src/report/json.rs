//! The JSON bodies (`docs/design.md`, "HTTP contract") as `Serialize` impls:
//!
//! | answer | body |
//! |---|---|
//! | liveness | `{"status":"alive"}`, or `{"status":"dead","checks":{..}}` |
//! | readiness, derived reports | `{"status":"ready","critical":{..},"degraded":{..}}` (no maps while `shutting_down`) |
//! | startup | `{"status":"started"}`, or `{"status":"starting","checks":{..}}` |
//! | deep | `{"status":..,"version":..,"uptime_seconds":..,"rss_mb":..,"checks":{name:{..}}}` |
//!
//! Public bodies show per check only `{"status":"pass"}` or
//! `{"status":"fail","reason":"timeout"}` ([`PublicCheck`]); error text and
//! details appear on the deep body only.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use crate::model::outcome::{DetailValue, Details};
use crate::model::probe::Probe;
use crate::model::result::{CheckResult, PublicCheck, Reason};
use crate::model::status::Status;
use crate::report::deep::DeepReport;
use crate::report::derived::HealthReport;
use crate::report::history::{History, Run};
use crate::report::probe::ProbeReport;
use crate::report::transition::Transition;

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for PublicCheck {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reason = self.reason();
        let mut s = serializer.serialize_struct("PublicCheck", 1 + usize::from(reason.is_some()))?;
        s.serialize_field("status", verdict(reason.is_none()))?;
        if let Some(reason) = reason {
            s.serialize_field("reason", &reason)?;
        }
        s.end()
    }
}

/// A result serializes as its public view: no configuration can make a
/// public body carry error text.
impl Serialize for CheckResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.public().serialize(serializer)
    }
}

impl Serialize for DetailValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DetailValue::Int(v) => serializer.serialize_i64(*v),
            DetailValue::UInt(v) => serializer.serialize_u64(*v),
            DetailValue::Float(v) => serializer.serialize_f64(*v),
            DetailValue::Bool(v) => serializer.serialize_bool(*v),
            DetailValue::Text(v) => serializer.serialize_str(v),
        }
    }
}

/// Details serialize as a JSON object, in insertion order.
impl Serialize for Details {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl Serialize for ProbeReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let with_checks = match (self.probe(), self.status()) {
            (Probe::Readiness, Status::ShuttingDown) => false,
            (Probe::Readiness, status) => return serialize_readiness(status, || self.checks().iter(), serializer),
            (_, status) => !status.is_healthy(),
        };
        let mut map = serializer.serialize_map(Some(1 + usize::from(with_checks)))?;
        map.serialize_entry("status", &self.status())?;
        if with_checks {
            map.serialize_entry("checks", &PublicChecks(|| self.checks().iter()))?;
        }
        map.end()
    }
}

/// Serializes a derived report (what its generated `Serialize` impl calls).
pub fn serialize_report<R: HealthReport, Ser: Serializer>(report: &R, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
    serialize_readiness(report.status(), || report.results(), serializer)
}

/// The readiness body: `{"status":..,"critical":{name:check},"degraded":{name:check}}`,
/// where `critical` holds the checks whose failure makes the instance not
/// ready and `degraded` those whose failure only degrades it.
fn serialize_readiness<'a, Ser, I>(
    status: Status,
    results: impl Fn() -> I,
    serializer: Ser,
) -> Result<Ser::Ok, Ser::Error>
where
    Ser: Serializer,
    I: Iterator<Item = &'a CheckResult>,
{
    let mut map = serializer.serialize_map(Some(3))?;
    map.serialize_entry("status", &status)?;
    map.serialize_entry("critical", &PublicChecks(|| results().filter(|r| r.is_critical())))?;
    map.serialize_entry("degraded", &PublicChecks(|| results().filter(|r| !r.is_critical())))?;
    map.end()
}

/// Checks serialized as `{name: {"status":..,"reason":..}}`.
struct PublicChecks<F>(F);

impl<'a, F, I> Serialize for PublicChecks<F>
where
    F: Fn() -> I,
    I: Iterator<Item = &'a CheckResult>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map((self.0)().map(|r| (r.name(), r.public())))
    }
}

impl Serialize for DeepReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("status", &self.status())?;
        map.serialize_entry("version", &self.version())?;
        map.serialize_entry("uptime_seconds", &self.uptime().as_secs())?;
        map.serialize_entry("rss_mb", &self.rss_bytes().map(megabytes))?;
        map.serialize_entry("checks", &DeepChecks(self.checks()))?;
        if let Some(history) = self.history() {
            map.serialize_entry("history", history)?;
        }
        map.end()
    }
}

/// Bytes as mebibytes with one decimal.
fn megabytes(bytes: u64) -> f64 {
    (bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0
}

/// The checks of the deep body, keyed by name.
struct DeepChecks<'a>(&'a [CheckResult]);

impl Serialize for DeepChecks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|c| (c.name(), DeepCheck(c))))
    }
}

/// A check as the deep endpoint shows it.
struct DeepCheck<'a>(&'a CheckResult);

impl Serialize for DeepCheck<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", verdict(c.passed()))?;
        if let Some(reason) = c.reason() {
            map.serialize_entry("reason", &reason)?;
        }
        map.serialize_entry("critical", &c.is_critical())?;
        map.serialize_entry("probes", &c.probes().iter().map(Probe::as_str).collect::<Vec<_>>())?;
        map.serialize_entry("latency_ms", &c.latency().map(millis))?;
        map.serialize_entry("last_success", &c.last_success().map(rfc3339))?;
        map.serialize_entry("since", &c.since().map(rfc3339))?;
        map.serialize_entry("consecutive_failures", &c.consecutive_failures())?;
        map.serialize_entry("error", &c.error())?;
        map.serialize_entry("details", c.details())?;
        map.end()
    }
}

/// `{"runs":{name:[{"at":..,"latency_ms":..,"status":..,"reason":..}]},"transitions":[..]}`,
/// oldest first.
impl Serialize for History {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Runs<'a>(&'a [Run]);
        impl Serialize for Runs<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(RunEntry))
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        let runs = self.checks().map(|(name, _, runs)| (name, Runs(runs)));
        map.serialize_entry("runs", &MapOf(runs))?;
        map.serialize_entry("transitions", &SeqOf(self.transitions().iter().map(TransitionEntry)))?;
        map.end()
    }
}

/// One run in the history.
struct RunEntry<'a>(&'a Run);

impl Serialize for RunEntry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let run = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("at", &rfc3339(run.finished()))?;
        map.serialize_entry("latency_ms", &millis(run.latency()))?;
        map.serialize_entry("status", verdict(run.passed()))?;
        if let Some(reason) = run.reason() {
            map.serialize_entry("reason", &reason)?;
        }
        map.end()
    }
}

/// One transition in the history: `{"at","check"|"probe","from","to"[,"reason"]}`.
struct TransitionEntry<'a>(&'a Transition);

impl Serialize for TransitionEntry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("at", &rfc3339(self.0.at()))?;
        match self.0 {
            Transition::Check(change) => {
                map.serialize_entry("check", change.check())?;
                map.serialize_entry("from", change.from.as_str())?;
                map.serialize_entry("to", change.to.as_str())?;
                if let Some(reason) = change.reason {
                    map.serialize_entry("reason", &reason)?;
                }
            }
            Transition::Probe(change) => {
                map.serialize_entry("probe", change.probe.as_str())?;
                map.serialize_entry("from", &change.from)?;
                map.serialize_entry("to", &change.to)?;
            }
        }
        map.end()
    }
}

/// Pairs serialized as a map.
struct MapOf<I>(I);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)> + Clone> Serialize for MapOf<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.clone())
    }
}

/// Items serialized as a sequence.
struct SeqOf<I>(I);

impl<T: Serialize, I: Iterator<Item = T> + Clone> Serialize for SeqOf<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

/// A duration in milliseconds with microsecond precision.
pub(crate) fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// A wall-clock time in RFC 3339 (UTC, milliseconds). A clock before 1970
/// or after 9999 (which RFC 3339 cannot write) is clamped to the nearest
/// end rather than trusted or panicked on.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    // The last millisecond of 9999-12-31.
    let last = UNIX_EPOCH + Duration::from_millis(253_402_300_799_999);
    humantime::format_rfc3339_millis(t.clamp(UNIX_EPOCH, last)).to_string()
}

/// A check's or a run's `status` word on the wire, and in the transition
/// metrics' `to` label.
pub(crate) const fn verdict(passed: bool) -> &'static str {
    if passed {
        "pass"
    } else {
        "fail"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_rfc_3339_cannot_write_are_clamped_not_panicked_on() {
        let day = Duration::from_secs(86_400);
        assert_eq!(rfc3339(UNIX_EPOCH - day), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(253_402_300_800) + day),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(1_500)),
            "1970-01-01T00:00:01.500Z"
        );
    }
}
