//! Changes of the health state, as [`Registry::subscribe`](crate::Registry::subscribe)
//! delivers them: a check's reported state, or a probe's status.

use std::fmt;
use std::time::SystemTime;

use tokio::sync::broadcast;

use crate::model::probe::Probe;
use crate::model::result::{CheckName, Reason};
use crate::model::status::Status;

/// The reported state of a check, after thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckState {
    /// No verdict yet (reason `pending`): counts as failing.
    Pending,
    /// Reported passing.
    Passing,
    /// Reported failing.
    Failing,
}

impl CheckState {
    /// The name in logs and metrics labels (`"pending"`, `"pass"`, `"fail"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckState::Pending => "pending",
            CheckState::Passing => "pass",
            CheckState::Failing => "fail",
        }
    }
}

impl fmt::Display for CheckState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of the health state.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    /// A check's reported state changed.
    Check(CheckTransition),
    /// A probe's answer changed.
    Probe(ProbeTransition),
}

impl Transition {
    /// When it happened.
    pub fn at(&self) -> SystemTime {
        match self {
            Transition::Check(change) => change.at,
            Transition::Probe(change) => change.at,
        }
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transition::Check(c) => {
                write!(f, "check {}: {} -> {}", c.check(), c.from, c.to)?;
                match c.reason {
                    Some(reason) => write!(f, " ({reason})"),
                    None => Ok(()),
                }
            }
            Transition::Probe(p) => write!(f, "{}: {} -> {}", p.probe, p.from, p.to),
        }
    }
}

/// A check's reported state changed (after thresholds: a check failing every
/// second for an hour changes once).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckTransition {
    pub(crate) check: CheckName,
    /// Whether the check is critical for readiness.
    pub critical: bool,
    /// The state before.
    pub from: CheckState,
    /// The state now.
    pub to: CheckState,
    /// Why it fails, when `to` is [`CheckState::Failing`] or [`CheckState::Pending`].
    pub reason: Option<Reason>,
    /// When the run that caused it ended.
    pub at: SystemTime,
}

impl CheckTransition {
    /// The check's name.
    pub fn check(&self) -> &str {
        self.check.as_str()
    }
}

/// A probe's answer changed (`ready` → `degraded`, → `shutting_down`, ...).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ProbeTransition {
    /// The probe.
    pub probe: Probe,
    /// Its answer before.
    pub from: Status,
    /// Its answer now.
    pub to: Status,
    /// When it changed.
    pub at: SystemTime,
}

/// The transitions of a registry, from the moment of
/// [`Registry::subscribe`](crate::Registry::subscribe).
///
/// Backed by a bounded broadcast channel: publishing never waits for a
/// subscriber, and a subscriber that falls more than
/// [`Transitions::CAPACITY`] behind loses the oldest and is told how many
/// ([`Missed`]) instead of slowing checks or probes down.
#[derive(Debug)]
pub struct Transitions {
    pub(crate) receiver: broadcast::Receiver<Transition>,
}

impl Transitions {
    /// How many transitions a subscriber may fall behind before it misses some.
    pub const CAPACITY: usize = 1024;

    /// The next transition; `Err(Missed(n))` once after falling behind by
    /// `n`, then the oldest kept one; `None` when the registry is gone.
    pub async fn recv(&mut self) -> Option<Result<Transition, Missed>> {
        match self.receiver.recv().await {
            Ok(transition) => Some(Ok(transition)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Err(Missed(n))),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// A subscriber fell behind and missed this many transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed(pub u64);

impl fmt::Display for Missed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "missed {} health transitions (subscriber too slow)", self.0)
    }
}

impl std::error::Error for Missed {}
