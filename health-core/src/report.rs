//! Typed reports: what `#[derive(HealthReport)]` implements, and the sources
//! a report collects its results from.

use std::future::Future;
use std::pin::pin;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::check::CheckFn;
use crate::execute::observe;
use crate::result::CheckResult;
use crate::status::{fold_readiness, Status};

/// A struct whose fields are the results of named checks, folded with the
/// readiness rules of SPEC §5. Implemented by `#[derive(HealthReport)]`.
///
/// ```
/// use health_core::prelude::*;
///
/// struct AppState {
///     queue_depth: usize,
/// }
///
/// #[health_check(critical)]
/// async fn queue(state: &AppState) -> Result<(), String> {
///     match state.queue_depth {
///         0..=999 => Ok(()),
///         n => Err(format!("{n} jobs waiting")),
///     }
/// }
///
/// #[health_check(timeout = "100ms")]
/// async fn cache() -> bool {
///     false
/// }
///
/// #[derive(HealthReport)]
/// #[health(state = AppState)]
/// struct Readiness {
///     queue: CheckResult,
///     cache: CheckResult,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let report = Readiness::collect(&AppState { queue_depth: 3 }).await;
/// assert_eq!(report.status(), Status::Degraded);
/// assert!(report.queue.passed());
/// assert_eq!(
///     serde_json::to_string(&report).unwrap(),
///     r#"{"status":"degraded","critical":{"queue":{"status":"pass"}},"degraded":{"cache":{"status":"fail","reason":"error"}}}"#
/// );
/// # }
/// ```
pub trait HealthReport: Sized + Send {
    /// The state the report's checks take by reference.
    type State: Sync;

    /// Builds the report from `source`, running its checks concurrently.
    fn collect_from(source: &impl CheckSource<Self::State>) -> impl Future<Output = Self> + Send;

    /// The results in field order.
    fn results(&self) -> impl Iterator<Item = &CheckResult>;

    /// Runs every check of the report once, concurrently, each under its own
    /// deadline (no cache, no thresholds: for that, use
    /// [`Health::report`](crate::Health::report)).
    fn collect(state: &Self::State) -> impl Future<Output = Self> + Send {
        async move { Self::collect_from(&RunOnce(state)).await }
    }

    /// The readiness rules applied to the results: `not_ready` if a critical
    /// check fails, `degraded` if another fails, else `ready`.
    fn status(&self) -> Status {
        fold_readiness(self.results())
    }
}

/// Where a report gets the result of a check: a fresh run ([`HealthReport::collect`])
/// or a registry's cache ([`Health::report`](crate::Health::report)).
pub trait CheckSource<S>: Sync {
    /// The result of check `C`.
    fn result<C: CheckFn<S>>(&self) -> impl Future<Output = CheckResult> + Send;
}

/// The result of check `C` from `source` (what derived reports call, so
/// errors about `C` point at the report's field).
pub fn lookup<'a, C: CheckFn<S>, S: 'a>(
    source: &'a impl CheckSource<S>,
) -> impl Future<Output = CheckResult> + Send + 'a {
    source.result::<C>()
}

/// Runs each check once, directly on the borrowed state.
struct RunOnce<'a, S>(&'a S);

impl<S: Sync> CheckSource<S> for RunOnce<'_, S> {
    fn result<C: CheckFn<S>>(&self) -> impl Future<Output = CheckResult> + Send {
        run_once::<S, C>(self.0)
    }
}

/// Runs check `C` once under its deadline.
pub(crate) async fn run_once<S: Sync, C: CheckFn<S>>(state: &S) -> CheckResult {
    // `C::SPEC` is a constant: read where needed, never kept across the await.
    let run = pin!(C::call(state));
    let observation = observe(C::SPEC.timeout, run).await;
    CheckResult::from_single_run(&C::SPEC, observation)
}

/// Serializes results as the readiness body of SPEC §6:
/// `{"status":..,"critical":{name:check},"degraded":{name:check}}`, where
/// `critical` holds the checks whose failure makes the instance not ready and
/// `degraded` those whose failure only degrades it.
pub(crate) fn serialize_readiness<'a, Ser, I>(
    status: Status,
    results: impl Fn() -> I,
    serializer: Ser,
) -> Result<Ser::Ok, Ser::Error>
where
    Ser: Serializer,
    I: Iterator<Item = &'a CheckResult>,
{
    let mut map = serializer.serialize_map(Some(3))?;
    map.serialize_entry("status", &status)?;
    map.serialize_entry("critical", &PublicChecks(|| results().filter(|r| r.is_critical())))?;
    map.serialize_entry("degraded", &PublicChecks(|| results().filter(|r| !r.is_critical())))?;
    map.end()
}

/// Checks serialized as `{name: {"status":..,"reason":..}}`.
pub(crate) struct PublicChecks<F>(pub F);

impl<'a, F, I> Serialize for PublicChecks<F>
where
    F: Fn() -> I,
    I: Iterator<Item = &'a CheckResult>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map((self.0)().map(|r| (r.name(), r.public())))
    }
}

/// Serializes a derived report (what its generated `Serialize` impl calls).
pub fn serialize_report<R: HealthReport, Ser: Serializer>(report: &R, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
    serialize_readiness(report.status(), || report.results(), serializer)
}
