//! Full diagnostics: every check with its history, error text and details,
//! and facts about the process.

use std::time::Duration;

use crate::model::result::CheckResult;
use crate::model::status::Status;
use crate::report::history::History;

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
    pub(crate) history: Option<History>,
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

    /// The recent past, when asked for ([`Registry::deep_with_history`](crate::Registry::deep_with_history)).
    pub fn history(&self) -> Option<&History> {
        self.history.as_ref()
    }
}
