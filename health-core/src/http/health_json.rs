//! The `application/health+json` format of draft-inadarei-api-health-check:
//! `status` pass/warn/fail, `checks` keyed `component:measurement` whose
//! values are arrays of objects with `status`, `observedValue`,
//! `observedUnit`, `time` and `output`.

use serde_json::{json, Map, Value};

use crate::model::result::CheckResult;
use crate::model::status::Status;
use crate::report::deep::DeepReport;
use crate::report::json::{millis, rfc3339};
use crate::report::probe::ProbeReport;

/// The media type of the format.
pub const CONTENT_TYPE: &str = "application/health+json";

/// `pass` for 200 answers without failures, `warn` for `degraded` (still
/// 200), `fail` for 503 answers.
fn overall(status: Status) -> &'static str {
    match status {
        Status::Degraded => "warn",
        status if status.is_healthy() => "pass",
        _ => "fail",
    }
}

fn check_status(check: &CheckResult) -> &'static str {
    if check.passed() {
        "pass"
    } else {
        "fail"
    }
}

/// The top of a body: `status`, and our status word as `output` when it is
/// not a plain pass.
fn top(status: Status) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("status".into(), overall(status).into());
    if overall(status) != "pass" {
        body.insert("output".into(), status.as_str().into());
    }
    body
}

/// A public probe: per check `<name>:status` with pass/fail and, when
/// failing, the reason class as `output`. Nothing else.
pub(crate) fn probe_body(report: &ProbeReport) -> Value {
    let mut body = top(report.status());
    if !report.checks().is_empty() {
        let checks: Map<String, Value> = report
            .checks()
            .iter()
            .map(|check| {
                let mut entry = Map::new();
                entry.insert("status".into(), check_status(check).into());
                if let Some(reason) = check.reason() {
                    entry.insert("output".into(), reason.as_str().into());
                }
                (format!("{}:status", check.name()), Value::Array(vec![entry.into()]))
            })
            .collect();
        body.insert("checks".into(), checks.into());
    }
    body.into()
}

/// The deep report: per check `<name>:responseTime` (latency, time, error
/// text as `output`) and one `<name>:<detail>` per detail; `uptime` and
/// `memory:rss` for the process; the version as `releaseId`.
pub(crate) fn deep_body(report: &DeepReport) -> Value {
    let mut body = top(report.status());
    if let Some(version) = report.version() {
        body.insert("releaseId".into(), version.into());
    }
    let mut checks = Map::new();
    checks.insert(
        "uptime".into(),
        json!([{"componentType": "system", "observedValue": report.uptime().as_secs(), "observedUnit": "s", "status": "pass"}]),
    );
    if let Some(rss) = report.rss_bytes() {
        checks.insert(
            "memory:rss".into(),
            json!([{"componentType": "system", "observedValue": rss / 1024, "observedUnit": "KiB", "status": "pass"}]),
        );
    }
    for check in report.checks() {
        let mut entry = Map::new();
        entry.insert("componentId".into(), check.name().into());
        entry.insert("status".into(), check_status(check).into());
        if let Some(latency) = check.latency() {
            entry.insert("observedValue".into(), millis(latency).into());
            entry.insert("observedUnit".into(), "ms".into());
        }
        if let Some(time) = check.observed_at() {
            entry.insert("time".into(), rfc3339(time).into());
        }
        if let Some(output) = check
            .error()
            .map(str::to_owned)
            .or_else(|| check.reason().map(|r| r.to_string()))
        {
            entry.insert("output".into(), output.into());
        }
        checks.insert(
            format!("{}:responseTime", check.name()),
            Value::Array(vec![entry.into()]),
        );
        for (key, value) in check.details().iter() {
            checks.insert(
                format!("{}:{key}", check.name()),
                json!([{"componentId": check.name(), "observedValue": value, "status": check_status(check)}]),
            );
        }
    }
    body.insert("checks".into(), checks.into());
    body.into()
}
