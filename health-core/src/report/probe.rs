//! The answer to one probe: its status and the results it was folded from.

use crate::model::probe::Probe;
use crate::model::result::CheckResult;
use crate::model::status::Status;

/// The answer to one probe: a status and the results of the probe's checks.
///
/// Its `Serialize` impl writes the public body (`docs/design.md`, "HTTP
/// contract"), which shows per check only pass/fail and a reason class:
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
