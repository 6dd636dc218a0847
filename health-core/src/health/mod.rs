//! The registry: the checks of one application state, their caches, the
//! start-up gate and the shutdown state, and the answers to the probes.

mod builder;
mod events;
mod metrics;
mod origin;
mod slot;

pub use builder::{BuildError, HealthBuilder};

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::check::CheckRef;
use crate::deep_report::DeepReport;
use crate::health_report::{run_once, CheckSource, HealthReport};
use crate::history::History;
use crate::probe::{Probe, Probes};
use crate::probe_report::ProbeReport;
use crate::result::CheckResult;
use crate::spec::CheckSpec;
use crate::status::{fold_liveness, fold_readiness, Status};
use crate::transition::Transitions;
use events::Events;
use slot::Slot;

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

/// The health registry of an application: every check for state `S`, and
/// the answers to the liveness, readiness, startup and deep probes.
///
/// Cheap to clone (a reference count); share it with handlers.
///
/// ```
/// use health_core::prelude::*;
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
/// let ready = health.readiness().await;
/// assert_eq!(ready.status(), Status::NotReady);
/// assert_eq!(ready.http_status(), 503);
/// assert_eq!(health.liveness().await.status(), Status::Alive);
/// # }
/// ```
pub struct Health<S> {
    inner: Arc<Inner<S>>,
}

struct Inner<S> {
    state: Arc<S>,
    slots: Vec<Arc<Slot<S>>>,
    mode: Mode,
    started: Arc<AtomicBool>,
    startup_withheld: AtomicBool,
    shutdown: watch::Sender<bool>,
    handle_signals: bool,
    version: Option<Cow<'static, str>>,
    created: Instant,
    schedulers: OnceLock<Vec<AbortHandle>>,
    events: Arc<Events>,
}

impl<S> Drop for Inner<S> {
    fn drop(&mut self) {
        for scheduler in self.schedulers.get().into_iter().flatten() {
            scheduler.abort();
        }
    }
}

impl<S> Clone for Health<S> {
    fn clone(&self) -> Self {
        Health {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S: Send + Sync + 'static> Health<S> {
    /// Starts a registry for `state`, with every `#[health_check]` function
    /// that takes `&S` or nothing already in it.
    pub fn builder(state: S) -> HealthBuilder<S> {
        HealthBuilder::new(Arc::new(state))
    }

    /// Like [`Health::builder`] for a state already behind an `Arc`.
    pub fn builder_shared(state: Arc<S>) -> HealthBuilder<S> {
        HealthBuilder::new(state)
    }

    /// The application state the checks run on.
    pub fn state(&self) -> &S {
        &self.inner.state
    }

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
        let checks = self.inner.current(Some(Probe::Liveness)).await;
        let status = fold_liveness(&checks);
        self.inner.events.probe(Probe::Liveness, status);
        ProbeReport {
            probe: Probe::Liveness,
            status,
            checks,
        }
    }

    /// Answers the readiness probe: `shutting_down` once shutdown began,
    /// `starting` before start-up completed or while a check has no first
    /// result, `not_ready` when a critical check fails, `degraded` when
    /// another fails, else `ready`.
    pub async fn readiness(&self) -> ProbeReport {
        let report = |status, checks| ProbeReport {
            probe: Probe::Readiness,
            status,
            checks,
        };
        if self.is_shutting_down() {
            return report(Status::ShuttingDown, Vec::new());
        }
        let (started, checks) =
            futures_util::join!(self.inner.startup_gate(), self.inner.current(Some(Probe::Readiness)));
        let status = if started {
            fold_readiness(&checks)
        } else {
            Status::Starting
        };
        // Only the answer in force is published: shutdown may have begun
        // while the checks ran.
        if !self.is_shutting_down() {
            self.inner.events.probe(Probe::Readiness, status);
        }
        report(status, checks)
    }

    /// Answers the startup probe: `starting` until every startup check has
    /// passed once and start-up is not withheld, then `started` for good.
    pub async fn startup(&self) -> ProbeReport {
        let started = self.inner.startup_gate().await;
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

    /// Full diagnostics: every check (refreshed as a probe would), with the
    /// readiness status, version, uptime and memory.
    pub async fn deep(&self) -> DeepReport {
        let (ready, checks) = futures_util::join!(self.readiness(), self.inner.current(None));
        DeepReport {
            status: ready.status,
            version: self.inner.version.as_deref().map(str::to_owned),
            uptime: self.inner.created.elapsed(),
            rss_bytes: crate::process::rss_bytes(),
            checks,
            history: None,
        }
    }

    /// [`deep`](Health::deep), with the recent past: each check's last runs
    /// and the last transitions (what the status page draws).
    pub async fn deep_with_history(&self) -> DeepReport {
        let mut report = self.deep().await;
        report.history = Some(self.history());
        report
    }

    /// Each check's last runs (at most [`RUNS_KEPT`](crate::history::RUNS_KEPT))
    /// and the last transitions (at most [`TRANSITIONS_KEPT`](crate::history::TRANSITIONS_KEPT)).
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
        if self.inner.mode == Mode::OnDemand {
            slot.refresh(&self.inner.state).await;
        }
        Some(slot.result(Instant::now(), self.inner.stale_tolerance(slot, Some(Probe::Readiness))))
    }

    /// Collects a derived report from this registry: its checks' results
    /// come from the cache (fresh results are reused, concurrent runs
    /// shared, thresholds applied) instead of one-off runs.
    pub async fn report<R: HealthReport<State = S>>(&self) -> R {
        R::collect_from(self).await
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
}

impl<S: Send + Sync + 'static> Inner<S> {
    /// The checks of `probe`, or all checks for `None`.
    fn slots_in(&self, probe: Option<Probe>) -> impl Iterator<Item = &Arc<Slot<S>>> {
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
    fn stale_tolerance(&self, slot: &Slot<S>, probe: Option<Probe>) -> Option<Duration> {
        let scheduled = self.mode == Mode::Background
            && !(slot.spec.probes == Probes::STARTUP && self.started.load(Ordering::Acquire));
        let interval = slot.spec.interval;
        scheduled.then(|| match probe {
            Some(Probe::Liveness) => interval.saturating_mul(3).max(LIVENESS_STALL_TOLERANCE),
            _ => interval.max(READINESS_STALL_TOLERANCE),
        })
    }

    /// Refreshes the checks of `probe` (on-demand mode) and returns their results.
    async fn current(&self, probe: Option<Probe>) -> Vec<CheckResult> {
        if self.mode == Mode::OnDemand {
            // The common case, a probe within every check's interval: one
            // clock read, one lock per check, nothing awaited.
            let now = Instant::now();
            let fresh: Option<Vec<_>> = self.slots_in(probe).map(|slot| slot.fresh_result(now)).collect();
            if let Some(results) = fresh {
                return results;
            }
            self.refresh(probe).await;
        }
        self.snapshot(probe)
    }

    /// Brings the checks of `probe` within their interval (on-demand mode).
    async fn refresh(&self, probe: Option<Probe>) {
        join_all(self.slots_in(probe).map(|slot| slot.refresh(&self.state))).await;
    }

    /// The results of the checks of `probe` as they stand.
    fn snapshot(&self, probe: Option<Probe>) -> Vec<CheckResult> {
        let now = Instant::now();
        self.slots_in(probe)
            .map(|slot| slot.result(now, self.stale_tolerance(slot, probe)))
            .collect()
    }

    /// Whether start-up has completed, refreshing the startup checks first
    /// (on-demand mode) while it has not.
    async fn startup_gate(&self) -> bool {
        if self.started.load(Ordering::Acquire) {
            return true;
        }
        if self.mode == Mode::OnDemand {
            self.refresh(Some(Probe::Startup)).await;
        }
        self.latch_started()
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
            tracing::info!("start-up complete");
            self.events.probe(Probe::Startup, Status::Started);
        }
        ready
    }

    /// Works out every probe's answer from the results as they stand and
    /// publishes those that changed (after a check's reported state changed).
    fn publish_probes(&self) {
        let started = self.latch_started();
        let now = Instant::now();
        let results = |probe| -> Vec<CheckResult> {
            self.slots_in(Some(probe))
                .map(|s| s.result(now, self.stale_tolerance(s, Some(probe))))
                .collect()
        };
        self.events
            .probe(Probe::Liveness, fold_liveness(&results(Probe::Liveness)));
        if !*self.shutdown.borrow() {
            let readiness = if started {
                fold_readiness(&results(Probe::Readiness))
            } else {
                Status::Starting
            };
            self.events.probe(Probe::Readiness, readiness);
        }
    }
}

impl<S: Send + Sync + 'static> CheckSource<S> for Health<S> {
    async fn result(&self, check: CheckRef<S>) -> CheckResult {
        let wanted = Some(check.type_id());
        match self.inner.slots.iter().find(|slot| slot.check_type == wanted) {
            Some(slot) => {
                if self.inner.mode == Mode::OnDemand {
                    slot.refresh(&self.inner.state).await;
                }
                slot.result(Instant::now(), self.inner.stale_tolerance(slot, Some(Probe::Readiness)))
            }
            // Left out of this registry: run it once, as `collect` would.
            None => run_once(&*self.inner.state, check).await,
        }
    }
}

impl<S> fmt::Debug for Health<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Health")
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
