//! The three questions orchestrators ask, and the sets of them a check
//! belongs to.

use std::fmt;

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

    /// The path the probe is served at unless configured otherwise
    /// (`/health/live`, `/health/ready`, `/health/startup`): one place for
    /// the HTTP listeners and the generated Kubernetes probes.
    pub const fn default_path(self) -> &'static str {
        match self {
            Probe::Liveness => "/health/live",
            Probe::Readiness => "/health/ready",
            Probe::Startup => "/health/startup",
        }
    }

    /// The probe's position in [`Probe::ALL`], for per-probe arrays.
    pub(crate) const fn index(self) -> usize {
        match self {
            Probe::Liveness => 0,
            Probe::Readiness => 1,
            Probe::Startup => 2,
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
