//! The runtime state of one check in a registry: its latest observation, the
//! run in flight that concurrent probes share, and the thresholded verdict.

use std::any::TypeId;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::future::{FutureExt, Shared};
use tokio::time::Instant;

use super::metrics::CheckMetrics;
use super::runner::Runner;
use crate::model::result::{CheckName, CheckResult, Observation, Reason};
use crate::model::spec::CheckSpec;
use crate::report::history::{Ring, Run, RUNS_KEPT};
use crate::report::transition::{CheckState, CheckTransition};
use crate::run::check::BoxFuture;
use crate::run::execute::observe;

/// A run in flight: its number, and a future every waiting probe can await.
pub(crate) type InFlight = (u64, Shared<BoxFuture<'static, ()>>);

/// One check of a registry.
pub(crate) struct Slot {
    pub spec: CheckSpec,
    /// The name results carry (shared, not copied).
    name: CheckName,
    /// The type `#[health_check]` generated, for checks registered at compile time.
    pub check_type: Option<TypeId>,
    runner: Box<dyn Runner>,
    state: Mutex<SlotState>,
    metrics: CheckMetrics,
}

/// A change of a check's reported state, for its registry to publish.
pub(crate) struct Change {
    pub transition: CheckTransition,
    /// The latest run's error, for the log line.
    pub error: Option<Arc<str>>,
}

/// What a slot remembers between runs.
#[derive(Default)]
struct SlotState {
    latest: Option<Observation>,
    in_flight: Option<InFlight>,
    runs_started: u64,
    /// When the latest run began (in flight or done).
    began: Option<Instant>,
    /// The reported verdict after thresholds; `false` until enough passes.
    passing: bool,
    /// Whether the reported verdict has ever been passing.
    ever_passed: bool,
    last_failure: Option<Reason>,
    consecutive_failures: u32,
    consecutive_successes: u32,
    last_success: Option<Instant>,
    /// When the reported state last changed.
    since: Option<Instant>,
    /// The last runs.
    runs: Ring<Run, RUNS_KEPT>,
}

impl SlotState {
    /// Whether the latest result is younger than `interval` at `now`.
    fn fresh(&self, now: Instant, interval: Duration) -> bool {
        self.latest
            .as_ref()
            .is_some_and(|latest| now.saturating_duration_since(latest.finished) < interval)
    }

    /// Frees the slot for a new run once run `number` is over (the run
    /// records itself; a waiter does it when the run's runtime shut down
    /// under it).
    fn finished(&mut self, number: u64) {
        if self.in_flight.as_ref().is_some_and(|(n, _)| *n == number) {
            self.in_flight = None;
        }
    }

    /// The reported state: passing, failing for a reason, or no verdict yet.
    fn reported(&self) -> CheckState {
        match (self.passing, self.last_failure) {
            (true, _) => CheckState::Passing,
            (false, Some(_)) => CheckState::Failing,
            (false, None) => CheckState::Pending,
        }
    }
}

impl Slot {
    pub fn new(runner: Box<dyn Runner>, spec: CheckSpec, check_type: Option<TypeId>) -> Slot {
        Slot {
            name: CheckName::of(&spec),
            metrics: CheckMetrics::new(&spec.name, spec.critical),
            spec,
            check_type,
            runner,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The run to wait for: `None` when `if_stale` and the latest result is
    /// younger than the interval; else the run in flight, or a new one,
    /// `start(slot, run number)` spawned as a task of its own.
    pub fn join_or_start(
        self: &Arc<Self>,
        if_stale: bool,
        start: impl FnOnce(Arc<Slot>, u64) -> BoxFuture<'static, ()>,
    ) -> Option<InFlight> {
        let mut slot = self.lock();
        if if_stale && slot.fresh(Instant::now(), self.spec.interval) {
            return None;
        }
        if let Some(run) = &slot.in_flight {
            return Some(run.clone());
        }
        slot.runs_started += 1;
        slot.began = Some(Instant::now());
        let number = slot.runs_started;
        let task = tokio::spawn(start(Arc::clone(self), number));
        let run = (number, task.map(|_| ()).boxed().shared());
        slot.in_flight = Some(run.clone());
        Some(run)
    }

    /// Runs the check once under its deadline and records the observation
    /// as run `number`; returns the change of its reported state, if any.
    pub async fn run(&self, number: u64) -> Option<Change> {
        let mut run = self.runner.run();
        let observation = observe(self.spec.timeout, run.as_mut()).await;
        self.record(number, observation)
    }

    /// Waits for `run`, then frees the slot if the run's task could not
    /// (its runtime shut down under it).
    pub async fn wait(&self, (number, run): InFlight) {
        run.await;
        self.lock().finished(number);
    }

    /// Applies one observation: thresholds, metrics, and, when the reported
    /// state changes, that change.
    fn record(&self, number: u64, observation: Observation) -> Option<Change> {
        self.metrics.run(&observation);
        let change = {
            let mut slot = self.lock();
            slot.finished(number);
            let before = slot.reported();
            if observation.passed() {
                slot.consecutive_successes = slot.consecutive_successes.saturating_add(1);
                slot.consecutive_failures = 0;
                slot.last_success = Some(observation.finished);
                if slot.consecutive_successes >= self.spec.success_threshold {
                    slot.passing = true;
                    slot.ever_passed = true;
                }
            } else {
                slot.consecutive_failures = slot.consecutive_failures.saturating_add(1);
                slot.consecutive_successes = 0;
                slot.last_failure = observation.failure;
                if slot.consecutive_failures >= self.spec.failure_threshold {
                    slot.passing = false;
                }
            }
            let after = slot.reported();
            let reason = if after == CheckState::Passing {
                None
            } else {
                slot.last_failure
            };
            if before != after {
                slot.since = Some(observation.finished);
            }
            slot.runs.push(Run {
                finished: observation.finished,
                latency: observation.latency,
                failure: observation.failure,
            });
            let error = observation.error.clone();
            slot.latest = Some(observation);
            (before != after).then_some((before, after, reason, error))
        };
        let (from, to, reason, error) = change?;
        self.metrics.state(to);
        let transition = CheckTransition {
            check: self.name.clone(),
            critical: self.spec.critical,
            from,
            to,
            reason,
            at: SystemTime::now(),
        };
        Some(Change { transition, error })
    }

    /// The reported result if it is younger than the interval (on-demand
    /// mode: a cache hit), in one lock.
    pub fn fresh_result(&self, now: Instant) -> Option<CheckResult> {
        let slot = self.lock();
        slot.fresh(now, self.spec.interval)
            .then(|| self.build_result(&slot, now, None))
    }

    /// The reported result as of `now`. With a `tolerance` (background
    /// mode: the check runs on its own schedule), a result whose successor
    /// is overdue by more than the tolerance is reported `stale`.
    pub fn result(&self, now: Instant, tolerance: Option<Duration>) -> CheckResult {
        self.build_result(&self.lock(), now, tolerance)
    }

    /// How late the next result is at `now`: the run in flight should have
    /// ended by its deadline; without one, the next run should have begun
    /// one interval after the latest began and ended by its deadline. Never
    /// late before the first run, or past the clock's range.
    fn lateness(&self, slot: &SlotState, now: Instant) -> Duration {
        slot.began
            .and_then(|began| began.checked_add(self.due_after(slot)))
            .map_or(Duration::ZERO, |due| now.saturating_duration_since(due))
    }

    /// Until when the result read at `now` stays as it is, unless this
    /// slot's state changes first: on demand (`on_demand`), a result is
    /// reused only while it is younger than the interval (none yet: not
    /// at all); with a `tolerance`, it stands until it turns `stale`.
    /// `None`: only a change of state can change it.
    #[cfg(any(feature = "http", feature = "grpc"))]
    pub fn holds_until(&self, now: Instant, on_demand: bool, tolerance: Option<Duration>) -> Option<Instant> {
        let slot = self.lock();
        if on_demand {
            return match &slot.latest {
                Some(latest) => latest.finished.checked_add(self.spec.interval),
                None => Some(now),
            };
        }
        let tolerance = tolerance?;
        let due = slot.began?.checked_add(self.due_after(&slot))?;
        // Stale once more than `tolerance` late; already stale, it stays so.
        let stale = due.checked_add(tolerance)?.checked_add(Duration::from_nanos(1))?;
        (now < stale).then_some(stale)
    }

    /// How long after the latest run began the next result is due: the
    /// run in flight by its deadline; without one, the next run one
    /// interval later, by its deadline.
    fn due_after(&self, slot: &SlotState) -> Duration {
        match slot.in_flight {
            Some(_) => self.spec.timeout,
            None => self.spec.interval.saturating_add(self.spec.timeout),
        }
    }

    fn build_result(&self, slot: &SlotState, now: Instant, tolerance: Option<Duration>) -> CheckResult {
        let latest = slot.latest.as_ref();
        let late = self.lateness(slot, now);
        let stale = tolerance.filter(|tolerance| late > *tolerance);
        let failure = match latest {
            None => Some(Reason::Pending),
            Some(_) if stale.is_some() => Some(Reason::Stale),
            Some(_) if slot.passing => None,
            Some(_) => Some(slot.last_failure.unwrap_or(Reason::Pending)),
        };
        let error = match (failure, latest, stale) {
            (Some(Reason::Stale), Some(latest), Some(tolerance)) => Some(Arc::from(format!(
                "latest result is {:.1}s old: the next one is {:.1}s overdue, beyond the {tolerance:?} a busy scheduler is allowed",
                now.saturating_duration_since(latest.finished).as_secs_f64(),
                late.as_secs_f64(),
            ))),
            (Some(_), None, _) => Some(Arc::from("no result yet")),
            // Reported failing although the latest run passed: below the
            // success threshold, since start or since the last failure.
            (Some(_), Some(latest), _) if latest.passed() => Some(Arc::from(format!(
                "the latest run passed, {} time(s) in a row of the {} that success_threshold needs",
                slot.consecutive_successes, self.spec.success_threshold
            ))),
            _ => latest.and_then(|l| l.error.clone()),
        };
        CheckResult {
            name: self.name.clone(),
            critical: self.spec.critical,
            probes: self.spec.probes,
            failure,
            error,
            details: latest.and_then(|l| l.details.clone()),
            latency: latest.map(|l| l.latency),
            observed_at: latest.map(|l| l.finished),
            last_success: slot.last_success,
            consecutive_failures: slot.consecutive_failures,
            since: slot.since,
        }
    }

    /// The name results carry.
    pub fn name(&self) -> &CheckName {
        &self.name
    }

    /// The last runs, oldest first.
    pub fn runs(&self) -> Vec<Run> {
        self.lock().runs.to_vec()
    }

    /// Whether the reported verdict has ever been passing (startup gate).
    pub fn ever_passed(&self) -> bool {
        self.lock().ever_passed
    }
}
