//! What a registry remembers of the recent past, in fixed-size rings so
//! memory stays flat however long the service runs: each check's last runs
//! and the last transitions.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::model::result::{wall_time, CheckName, Reason};
use crate::report::transition::Transition;

/// How many runs of each check are kept.
pub const RUNS_KEPT: usize = 120;
/// How many transitions are kept.
pub const TRANSITIONS_KEPT: usize = 100;

/// A queue that keeps its last `N` items.
#[derive(Debug, Clone)]
pub(crate) struct Ring<T, const N: usize> {
    items: VecDeque<T>,
}

impl<T, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Ring { items: VecDeque::new() }
    }
}

impl<T: Clone, const N: usize> Ring<T, N> {
    /// Adds `item`, dropping the oldest when full.
    pub fn push(&mut self, item: T) {
        if self.items.len() == N {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// The items, oldest first.
    pub fn to_vec(&self) -> Vec<T> {
        self.items.iter().cloned().collect()
    }
}

/// One run of a check, as the history keeps it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub(crate) finished: Instant,
    pub(crate) latency: Duration,
    pub(crate) failure: Option<Reason>,
}

impl Run {
    /// When the run ended.
    pub fn finished(&self) -> SystemTime {
        wall_time(self.finished)
    }

    /// How long it took.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Why it failed; `None` when it passed.
    pub fn reason(&self) -> Option<Reason> {
        self.failure
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// The recent past of a registry: each check's last runs (at most
/// [`RUNS_KEPT`]) and the last transitions (at most [`TRANSITIONS_KEPT`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub(crate) runs: Vec<(CheckName, Duration, Vec<Run>)>,
    pub(crate) transitions: Vec<Transition>,
}

impl History {
    /// The last runs of the check called `name`, oldest first.
    pub fn runs(&self, name: &str) -> Option<&[Run]> {
        self.runs
            .iter()
            .find(|(n, ..)| n.as_str() == name)
            .map(|(_, _, runs)| runs.as_slice())
    }

    /// Every check's name, deadline and last runs (oldest first).
    pub fn checks(&self) -> impl Iterator<Item = (&str, Duration, &[Run])> + Clone {
        self.runs
            .iter()
            .map(|(name, deadline, runs)| (name.as_str(), *deadline, runs.as_slice()))
    }

    /// The last transitions of checks and probes, oldest first.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_keeps_its_last_items_and_no_more() {
        let mut ring: Ring<u32, 3> = Ring::default();
        for i in 0..1000 {
            ring.push(i);
        }
        assert_eq!(ring.to_vec(), [997, 998, 999]);
    }

    #[test]
    fn a_run_is_small_so_a_checks_history_stays_within_a_few_kib() {
        let bytes = std::mem::size_of::<Run>() * RUNS_KEPT;
        assert!(bytes <= 6 * 1024, "{} bytes per run", std::mem::size_of::<Run>());
    }
}
