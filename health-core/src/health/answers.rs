//! Each probe's answer as it stands, worked out once and shared by every
//! request until it could differ: until a check's state changes (a run
//! begins or ends, start-up completes), or until the clock alone would
//! change it (a cached result outlives its interval, a background result
//! turns `stale`). A probe within those bounds is an atomic load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use tokio::time::Instant;

use crate::model::probe::Probe;
use crate::report::probe::ProbeReport;

/// A probe's answer, and how long it holds.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The answer itself.
    pub report: ProbeReport,
    /// The state it was worked out from (see [`Answers::generation`]).
    generation: u64,
    /// The instant from which the clock alone may change it; `None`: only
    /// a change of state can.
    expires: Option<Instant>,
}

/// The answers of one registry's probes.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    /// Counts the changes of state an answer depends on; an answer worked
    /// out before the latest one is out of date.
    generation: AtomicU64,
    latest: [ArcSwapOption<Answer>; 3],
}

impl Answers {
    /// Notes a change of state: every answer worked out before it is out of
    /// date. Called once the change is visible to whoever reads the state.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The state as it stands, to be read before the answer is worked out.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// `probe`'s latest answer, if it still holds at `now`.
    pub fn current(&self, probe: Probe, now: Instant) -> Option<Arc<Answer>> {
        let answer = self.latest[probe.index()].load_full()?;
        let holds = answer.generation == self.generation() && answer.expires.is_none_or(|expires| now < expires);
        holds.then_some(answer)
    }

    /// Keeps `report`, worked out from the state of `generation`, as
    /// `probe`'s answer until `expires`, and returns it.
    pub fn keep(&self, probe: Probe, report: ProbeReport, generation: u64, expires: Option<Instant>) -> Arc<Answer> {
        let answer = Arc::new(Answer {
            report,
            generation,
            expires,
        });
        self.latest[probe.index()].store(Some(Arc::clone(&answer)));
        answer
    }
}
