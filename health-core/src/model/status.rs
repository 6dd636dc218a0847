//! The answers of the probes and the rules that fold check results into them
//! (see `docs/design.md`, "Semantics").

use std::fmt;

use crate::model::probe::Probe;
use crate::model::result::{CheckResult, Reason};

/// The answer of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Liveness: no liveness check fails (200).
    Alive,
    /// Liveness: a liveness check fails (503); the orchestrator may restart.
    Dead,
    /// Readiness: every readiness check passes (200).
    Ready,
    /// Readiness: only non-critical checks fail (200): serve, but look.
    Degraded,
    /// Readiness: a critical check fails (503): route traffic elsewhere.
    NotReady,
    /// Readiness or startup: start-up has not completed, or a check has no
    /// first result yet (503).
    Starting,
    /// Readiness: shutdown has begun; drain (503). Liveness stays 200.
    ShuttingDown,
    /// Startup: every startup check has passed once (200, for good).
    Started,
}

impl Status {
    /// Every status, in declaration order.
    pub const ALL: [Status; 8] = [
        Status::Alive,
        Status::Dead,
        Status::Ready,
        Status::Degraded,
        Status::NotReady,
        Status::Starting,
        Status::ShuttingDown,
        Status::Started,
    ];

    /// The statuses `probe` can answer.
    pub const fn of_probe(probe: Probe) -> &'static [Status] {
        match probe {
            Probe::Liveness => &[Status::Alive, Status::Dead],
            Probe::Readiness => &[
                Status::Ready,
                Status::Degraded,
                Status::NotReady,
                Status::Starting,
                Status::ShuttingDown,
            ],
            Probe::Startup => &[Status::Starting, Status::Started],
        }
    }

    /// The position in [`Status::ALL`].
    pub(crate) const fn index(self) -> u8 {
        self as u8
    }

    /// The name on the wire (`"not_ready"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Alive => "alive",
            Status::Dead => "dead",
            Status::Ready => "ready",
            Status::Degraded => "degraded",
            Status::NotReady => "not_ready",
            Status::Starting => "starting",
            Status::ShuttingDown => "shutting_down",
            Status::Started => "started",
        }
    }

    /// Whether the status answers 200 (else 503).
    pub const fn is_healthy(self) -> bool {
        matches!(self, Status::Alive | Status::Ready | Status::Degraded | Status::Started)
    }

    /// The HTTP status code: 200 or 503.
    ///
    /// ```
    /// use health_core::Status;
    ///
    /// assert_eq!(Status::Degraded.http_status(), 200);
    /// assert_eq!(Status::ShuttingDown.http_status(), 503);
    /// ```
    pub const fn http_status(self) -> u16 {
        if self.is_healthy() {
            200
        } else {
            503
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Readiness of a set of readiness check results: `starting` while any has
/// no first result, else `not_ready` if a critical one fails, else `degraded`
/// if any fails, else `ready`.
pub(crate) fn fold_readiness<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Status {
    let (mut pending, mut critical_failed, mut failed) = (false, false, false);
    for result in results {
        match result.reason() {
            None => {}
            Some(Reason::Pending) => pending = true,
            Some(_) if result.is_critical() => critical_failed = true,
            Some(_) => failed = true,
        }
    }
    match (pending, critical_failed, failed) {
        (true, _, _) => Status::Starting,
        (false, true, _) => Status::NotReady,
        (false, false, true) => Status::Degraded,
        (false, false, false) => Status::Ready,
    }
}

/// Liveness of a set of liveness check results: `dead` if any fails
/// (including one without a first result), else `alive`.
pub(crate) fn fold_liveness<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Status {
    if results.into_iter().all(CheckResult::passed) {
        Status::Alive
    } else {
        Status::Dead
    }
}
