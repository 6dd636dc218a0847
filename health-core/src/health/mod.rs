//! The registry: the checks of one application state, their caches, the
//! start-up gate and the shutdown state, and the answers to the probes.

#[cfg(any(feature = "http", feature = "grpc"))]
mod answers;
mod builder;
mod events;
mod metrics;
mod origin;
mod runner;
mod slot;
mod typed;

#[cfg(any(feature = "http", feature = "grpc"))]
pub(crate) use answers::Answer;
pub use builder::{BuildError, HealthBuilder};
pub use typed::Health;

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use futures_util::future::{join_all, FutureExt};
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::model::probe::{Probe, Probes};
use crate::model::result::CheckResult;
use crate::model::spec::CheckSpec;
use crate::model::status::{fold_liveness, fold_readiness, Status};
use crate::report::deep::DeepReport;
use crate::report::history::History;
use crate::report::probe::ProbeReport;
use crate::report::transition::Transitions;
#[cfg(any(feature = "http", feature = "grpc"))]
use answers::Answers;
use events::Events;
use slot::{Change, Slot};

/// How late a background result may be, at least, before readiness (and
/// startup, and the deep report) reads it as `stale`.
const READINESS_STALL_TOLERANCE: Duration = Duration::from_secs(2);
/// How late a background result may be, at least, before liveness reads it
/// as `stale`.
const LIVENESS_STALL_TOLERANCE: Duration = Duration::from_secs(10);

/// How checks are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Probes run the checks whose result is older than their interval;
    /// concurrent probes share one run. The default.
    OnDemand,
    /// Every check runs on its own schedule (its interval); probes only read
    /// the latest results and never wait on a dependency. A result whose
    /// successor is overdue (the next run should have ended by the latest
    /// run's start + interval + deadline) by more than a busy process is
    /// allowed is reported `stale` (`docs/design.md`, "Staleness under
    /// load"): for readiness, startup and the deep report, by more than
    /// the interval or 2 s, whichever is longer; for liveness, by more than
    /// three intervals or 10 s.
    Background,
}

/// The registry of an application, its state type erased: every check
/// (each bound to the state it runs on), and the answers to the liveness,
/// readiness, startup and deep probes. Adapters (HTTP, gRPC, Kubernetes)
/// hold this, so they are compiled once for every state type.
///
/// A [`Health<S>`](Health) derefs to it; cheap to clone (a reference count).
///
/// ```
/// use health_core::prelude::*;
/// use health_core::Registry;
///
/// struct AppState {
///     db_up: bool,
/// }
///
/// #[health_check(critical, timeout = "2s")]
/// async fn database(state: &AppState) -> Result<(), String> {
///     state.db_up.then_some(()).ok_or_else(|| "connection refused".to_string())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let health = Health::builder(AppState { db_up: false }).build().unwrap();
/// let registry: Registry = health.registry().clone();
/// let ready = registry.readiness().await;
/// assert_eq!(ready.status(), Status::NotReady);
/// assert_eq!(ready.http_status(), 503);
/// assert_eq!(registry.liveness().await.status(), Status::Alive);
/// # }
/// ```
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    slots: Vec<Arc<Slot>>,
    mode: Mode,
    started: AtomicBool,
    startup_withheld: AtomicBool,
    shutdown: watch::Sender<bool>,
    handle_signals: bool,
    version: Option<Cow<'static, str>>,
    created: Instant,
    schedulers: OnceLock<Vec<AbortHandle>>,
    events: Events,
    #[cfg(any(feature = "http", feature = "grpc"))]
    answers: Answers,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for scheduler in self.schedulers.get().into_iter().flatten() {
            scheduler.abort();
        }
    }
}

impl Registry {
    /// How checks are run.
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// The descriptors of every check, sorted by name.
    pub fn checks(&self) -> impl Iterator<Item = &CheckSpec> {
        self.inner.slots.iter().map(|slot| &slot.spec)
    }

    /// Answers the liveness probe: `alive`, or `dead` when a liveness check
    /// fails. Shutdown does not change it.
    pub async fn liveness(&self) -> ProbeReport {
        let checks = self.current(Some(Probe::Liveness)).await;
        let report = ProbeReport {
            probe: Probe::Liveness,
            status: fold_liveness(&checks),
            checks,
        };
        self.inner.events.probe(Probe::Liveness, report.status);
        report
    }

    /// Answers the readiness probe: `shutting_down` once shutdown began,
    /// `starting` before start-up completed or while a check has no first
    /// result, `not_ready` when a critical check fails, `degraded` when
    /// another fails, else `ready`.
    pub async fn readiness(&self) -> ProbeReport {
        if self.is_shutting_down() {
            return readiness_answer(false, true, Vec::new());
        }
        let (started, checks) = futures_util::join!(self.startup_gate(), self.current(Some(Probe::Readiness)));
        let report = readiness_answer(started, false, checks);
        // Only the answer in force is published: shutdown may have begun
        // while the checks ran.
        if !self.is_shutting_down() {
            self.inner.events.probe(Probe::Readiness, report.status);
        }
        report
    }

    /// Answers the startup probe: `starting` until every startup check has
    /// passed once and start-up is not withheld, then `started` for good.
    pub async fn startup(&self) -> ProbeReport {
        let started = self.startup_gate().await;
        let checks = if started {
            Vec::new()
        } else {
            self.inner.snapshot(Some(Probe::Startup))
        };
        ProbeReport {
            probe: Probe::Startup,
            status: if started { Status::Started } else { Status::Starting },
            checks,
        }
    }

    /// Answers `probe`.
    pub async fn probe(&self, probe: Probe) -> ProbeReport {
        match probe {
            Probe::Liveness => self.liveness().await,
            Probe::Readiness => self.readiness().await,
            Probe::Startup => self.startup().await,
        }
    }

    /// `probe`'s answer, shared by every caller until it could differ (a
    /// check's state changed, or the clock made a result due or `stale`):
    /// what the adapters serve, so a probe in between is an atomic load.
    #[cfg(any(feature = "http", feature = "grpc"))]
    pub(crate) async fn answer(&self, probe: Probe) -> Arc<Answer> {
        if let Some(answer) = self.kept_answer(probe) {
            return answer;
        }
        // Read before the state: a change while the answer is worked out
        // leaves it out of date at once, never a stale answer in date.
        let generation = self.inner.answers.generation();
        // Read before the answer too: the clock only moves it towards its
        // expiry (a result ages, turns `stale`), never back.
        let now = Instant::now();
        let report = self.probe(probe).await;
        let expires = self.inner.expiry(probe, now);
        self.inner.answers.keep(probe, report, generation, expires)
    }

    /// `probe`'s kept answer, if it still holds: what [`Registry::answer`]
    /// returns without waiting.
    #[cfg(any(feature = "http", feature = "grpc"))]
    pub(crate) fn kept_answer(&self, probe: Probe) -> Option<Arc<Answer>> {
        self.inner.answers.current(probe, Instant::now())
    }

    /// Full diagnostics: every check (refreshed as a probe would), with the
    /// readiness status, version, uptime and memory.
    pub async fn deep(&self) -> DeepReport {
        let (ready, checks) = futures_util::join!(self.readiness(), self.current(None));
        DeepReport {
            status: ready.status,
            version: self.inner.version.as_deref().map(str::to_owned),
            uptime: self.inner.created.elapsed(),
            rss_bytes: crate::report::process::rss_bytes(),
            checks,
            history: None,
        }
    }

    /// [`deep`](Registry::deep), with the recent past: each check's last runs
    /// and the last transitions (what the status page draws).
    pub async fn deep_with_history(&self) -> DeepReport {
        let mut report = self.deep().await;
        report.history = Some(self.history());
        report
    }

    /// Each check's last runs (at most [`RUNS_KEPT`](crate::report::history::RUNS_KEPT))
    /// and the last transitions (at most [`TRANSITIONS_KEPT`](crate::report::history::TRANSITIONS_KEPT)).
    pub fn history(&self) -> History {
        History {
            runs: self
                .inner
                .slots
                .iter()
                .map(|slot| (slot.name().clone(), slot.spec.timeout, slot.runs()))
                .collect(),
            transitions: self.inner.events.recent(),
        }
    }

    /// The reported result of the check called `name` (refreshed first in
    /// on-demand mode, as a probe would), or `None` without such a check.
    pub async fn check_result(&self, name: &str) -> Option<CheckResult> {
        let slot = self.inner.slots.iter().find(|slot| slot.spec.name == name)?;
        Some(self.slot_result(slot).await)
    }

    /// Lets start-up complete (for registries built with
    /// [`HealthBuilder::withhold_startup`]): `started` once every startup
    /// check has passed once.
    pub fn mark_started(&self) {
        self.inner.startup_withheld.store(false, Ordering::Release);
        self.inner.latch_started();
    }

    /// Whether start-up has completed.
    pub fn is_started(&self) -> bool {
        self.inner.started.load(Ordering::Acquire)
    }

    /// Begins shutdown: readiness answers 503 `shutting_down` from now on,
    /// so load balancers drain the instance, while liveness is unchanged so
    /// the orchestrator does not restart it.
    pub fn begin_shutdown(&self) {
        if !self.inner.shutdown.send_replace(true) {
            self.inner.state_changed();
            tracing::info!("shutdown begun: readiness now answers shutting_down");
            self.inner.events.probe(Probe::Readiness, Status::ShuttingDown);
        }
    }

    /// Every change of the health state from now on: each check's reported
    /// state (after thresholds) and each probe's answer. See [`Transitions`]
    /// for what happens to a subscriber that falls behind.
    ///
    /// ```
    /// use health_core::prelude::*;
    /// use health_core::{CheckState, Transition};
    ///
    /// #[health_check(critical)]
    /// async fn db(_state: &()) -> Result<(), String> {
    ///     Err("connection refused".into())
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let health = Health::builder(()).build().unwrap();
    /// let mut changes = health.subscribe();
    /// health.readiness().await;
    /// let Some(Ok(Transition::Check(change))) = changes.recv().await else { panic!() };
    /// assert_eq!((change.check(), change.from, change.to), ("db", CheckState::Pending, CheckState::Failing));
    /// # }
    /// ```
    pub fn subscribe(&self) -> Transitions {
        self.inner.events.subscribe()
    }

    /// Whether shutdown begins on SIGTERM/SIGINT
    /// ([`HealthBuilder::handle_signals`]).
    pub fn handles_signals(&self) -> bool {
        self.inner.handle_signals
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// Resolves once shutdown has begun (for servers draining on it).
    pub async fn shutdown_begun(&self) {
        let mut begun = self.inner.shutdown.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = begun.wait_for(|begun| *begun).await;
    }

    /// The slot of the check whose `#[health_check]` type is `check_type`.
    fn slot_of(&self, check_type: std::any::TypeId) -> Option<&Arc<Slot>> {
        self.inner.slots.iter().find(|slot| slot.check_type == Some(check_type))
    }

    /// The reported result of `slot`, refreshed first in on-demand mode.
    async fn slot_result(&self, slot: &Arc<Slot>) -> CheckResult {
        if self.inner.mode == Mode::OnDemand {
            self.refresh_slot(slot, true).await;
        }
        slot.result(Instant::now(), self.inner.stale_tolerance(slot, Some(Probe::Readiness)))
    }

    /// Refreshes the checks of `probe` (on-demand mode) and returns their results.
    async fn current(&self, probe: Option<Probe>) -> Vec<CheckResult> {
        if self.inner.mode == Mode::OnDemand {
            // The common case, a probe within every check's interval: one
            // clock read, one lock per check, nothing awaited.
            let now = Instant::now();
            let fresh: Option<Vec<_>> = self.inner.slots_in(probe).map(|slot| slot.fresh_result(now)).collect();
            if let Some(results) = fresh {
                return results;
            }
            self.refresh(probe).await;
        }
        self.inner.snapshot(probe)
    }

    /// Brings the checks of `probe` within their interval (on-demand mode).
    async fn refresh(&self, probe: Option<Probe>) {
        join_all(self.inner.slots_in(probe).map(|slot| self.refresh_slot(slot, true))).await;
    }

    /// Makes sure `slot` holds a result younger than its interval (`if_stale`)
    /// or runs it now (background mode): reuses a fresh result, joins the
    /// run in flight, or starts a run. The run is a task of its own, so a
    /// probe that gives up (client gone) does not cancel the run others
    /// wait for; the registry applies its state change, if any.
    async fn refresh_slot(&self, slot: &Arc<Slot>, if_stale: bool) {
        let registry = Arc::downgrade(&self.inner);
        let run = slot.join_or_start(if_stale, |slot, number| {
            // A run begins: when the next result is due has moved.
            self.inner.state_changed();
            async move {
                let change = slot.run(number).await;
                if let Some(registry) = registry.upgrade() {
                    registry.state_changed();
                    if let Some(change) = change {
                        registry.changed(change);
                    }
                }
            }
            .boxed()
        });
        if let Some(run) = run {
            slot.wait(run).await;
        }
    }

    /// Starts running every check on its own schedule (background mode), on
    /// `runtime`, for as long as the registry lives.
    fn start_schedulers(&self, runtime: &tokio::runtime::Handle) {
        let schedulers = self
            .inner
            .slots
            .iter()
            .map(|slot| {
                runtime
                    .spawn(schedule(Arc::downgrade(&self.inner), Arc::clone(slot)))
                    .abort_handle()
            })
            .collect();
        let _ = self.inner.schedulers.set(schedulers);
    }

    /// Whether start-up has completed, refreshing the startup checks first
    /// (on-demand mode) while it has not.
    async fn startup_gate(&self) -> bool {
        if self.is_started() {
            return true;
        }
        if self.inner.mode == Mode::OnDemand {
            self.refresh(Some(Probe::Startup)).await;
        }
        self.inner.latch_started()
    }
}

/// Runs `slot` every interval, for as long as its registry lives
/// (background mode). A check that belongs to the startup probe only stops
/// once start-up completed.
async fn schedule(registry: Weak<Inner>, slot: Arc<Slot>) {
    let startup_only = slot.spec.probes == Probes::STARTUP;
    loop {
        let Some(inner) = registry.upgrade() else { return };
        let registry = Registry { inner };
        if startup_only && registry.is_started() {
            return;
        }
        let began = Instant::now();
        registry.refresh_slot(&slot, false).await;
        drop(registry);
        // The next run one interval after this one began (at once if this
        // one overran); total for any interval.
        match began.checked_add(slot.spec.interval) {
            Some(next) => tokio::time::sleep_until(next).await,
            None => tokio::time::sleep(slot.spec.interval).await,
        }
    }
}

/// The readiness answer: the one rule from start-up, shutdown and the
/// readiness checks' results to a status (probes and transitions alike).
fn readiness_answer(started: bool, shutting_down: bool, checks: Vec<CheckResult>) -> ProbeReport {
    let status = if shutting_down {
        Status::ShuttingDown
    } else if started {
        fold_readiness(&checks)
    } else {
        Status::Starting
    };
    ProbeReport {
        probe: Probe::Readiness,
        status,
        checks,
    }
}

impl Inner {
    /// The checks of `probe`, or all checks for `None`.
    fn slots_in(&self, probe: Option<Probe>) -> impl Iterator<Item = &Arc<Slot>> {
        self.slots
            .iter()
            .filter(move |slot| probe.is_none_or(|p| slot.spec.in_probe(p)))
    }

    /// How overdue `slot`'s next result may be before `probe` (the deep
    /// report for `None`) reads it as `stale`, if the check still runs on
    /// its own schedule (background mode; a startup-only check stops once
    /// start-up completed: its last result stands). Beyond the tolerance the
    /// scheduler is stuck; within it, the process may just be busy (a
    /// runtime stalled by load delays every task, the scheduler's too).
    /// Liveness tolerates more: its failure restarts the process.
    fn stale_tolerance(&self, slot: &Slot, probe: Option<Probe>) -> Option<Duration> {
        let scheduled = self.mode == Mode::Background
            && !(slot.spec.probes == Probes::STARTUP && self.started.load(Ordering::Acquire));
        let interval = slot.spec.interval;
        scheduled.then(|| match probe {
            Some(Probe::Liveness) => interval.saturating_mul(3).max(LIVENESS_STALL_TOLERANCE),
            _ => interval.max(READINESS_STALL_TOLERANCE),
        })
    }

    /// Notes a change of state that the kept answers depend on.
    fn state_changed(&self) {
        #[cfg(any(feature = "http", feature = "grpc"))]
        self.answers.changed();
    }

    /// Until when `probe`'s answer, worked out from `now` on, holds
    /// unless a state changes (see [`Slot::holds_until`]): its checks, and
    /// before start-up completed, the startup checks readiness waits on.
    #[cfg(any(feature = "http", feature = "grpc"))]
    fn expiry(&self, probe: Probe, now: Instant) -> Option<Instant> {
        let started = self.started.load(Ordering::Acquire);
        let consulted: Box<dyn Iterator<Item = &Arc<Slot>>> = match probe {
            Probe::Startup if started => return None,
            Probe::Readiness if *self.shutdown.borrow() => return None,
            Probe::Readiness if !started => {
                Box::new(self.slots_in(Some(probe)).chain(self.slots_in(Some(Probe::Startup))))
            }
            probe => Box::new(self.slots_in(Some(probe))),
        };
        let on_demand = self.mode == Mode::OnDemand;
        consulted
            .filter_map(|slot| slot.holds_until(now, on_demand, self.stale_tolerance(slot, Some(probe))))
            .min()
    }

    /// The results of the checks of `probe` as they stand.
    fn snapshot(&self, probe: Option<Probe>) -> Vec<CheckResult> {
        let now = Instant::now();
        self.slots_in(probe)
            .map(|slot| slot.result(now, self.stale_tolerance(slot, probe)))
            .collect()
    }

    /// Latches `started` when start-up is not withheld and every startup
    /// check has passed once; returns whether it is started.
    fn latch_started(&self) -> bool {
        if self.started.load(Ordering::Acquire) {
            return true;
        }
        let ready = !self.startup_withheld.load(Ordering::Acquire)
            && self.slots_in(Some(Probe::Startup)).all(|slot| slot.ever_passed());
        if ready && !self.started.swap(true, Ordering::AcqRel) {
            self.state_changed();
            tracing::info!("start-up complete");
            self.events.probe(Probe::Startup, Status::Started);
        }
        ready
    }

    /// Applies a change of a check's reported state: its transition (one
    /// log line, one broadcast), then every probe's answer worked out again
    /// from the results as they stand, those that changed published.
    fn changed(&self, change: Change) {
        self.events.check(change.transition, change.error.as_deref());
        self.publish_probes();
    }

    /// Publishes each probe's answer as the results stand.
    fn publish_probes(&self) {
        let started = self.latch_started();
        self.events
            .probe(Probe::Liveness, fold_liveness(&self.snapshot(Some(Probe::Liveness))));
        let shutting_down = *self.shutdown.borrow();
        if !shutting_down {
            let checks = if started {
                self.snapshot(Some(Probe::Readiness))
            } else {
                Vec::new()
            };
            self.events.probe(
                Probe::Readiness,
                readiness_answer(started, shutting_down, checks).status,
            );
        }
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("mode", &self.inner.mode)
            .field(
                "checks",
                &self.inner.slots.iter().map(|s| &s.spec.name).collect::<Vec<_>>(),
            )
            .field("started", &self.inner.started.load(Ordering::Relaxed))
            .field("shutting_down", &*self.inner.shutdown.borrow())
            .field("handle_signals", &self.inner.handle_signals)
            .finish()
    }
}
