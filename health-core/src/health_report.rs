//! Typed reports: what `#[derive(HealthReport)]` implements, and the sources
//! a report collects its results from.

use std::borrow::Cow;
use std::future::Future;
use std::pin::pin;

use crate::check::CheckFn;
use crate::execute::observe;
use crate::result::CheckResult;
use crate::status::{fold_readiness, Status};

/// A struct whose fields are the results of named checks, folded with the
/// readiness rules (`docs/design.md`, "Semantics"). Implemented by `#[derive(HealthReport)]`.
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

    /// Builds the report from `source`, running its checks concurrently
    /// (what [`collect`](HealthReport::collect) and
    /// [`Health::report`](crate::Health::report) call).
    #[doc(hidden)]
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

/// The name of check `C` at compile time (derived reports check that their
/// checks' names are distinct). `#[health_check]` names are always static.
pub const fn check_name<C: CheckFn<S>, S>() -> &'static str {
    let spec = C::SPEC;
    let name = match &spec.name {
        Cow::Borrowed(name) => *name,
        Cow::Owned(_) => "",
    };
    // Nothing to drop for a borrowed name; `forget` keeps this `const`.
    std::mem::forget(spec);
    name
}

/// Fails compilation when the check at `index` of a report shares its name
/// with an earlier one: `checks` holds each field's check name and how the
/// error shows it.
pub const fn assert_distinct_name(checks: &[(&str, &str)], index: usize) {
    let (name, shown) = checks[index];
    let mut earlier = 0;
    while earlier < index {
        if str_eq(checks[earlier].0, name) {
            let message = ConstText::new()
                .push("the checks ")
                .push(checks[earlier].1)
                .push(" and ")
                .push(shown)
                .push(" are both named `")
                .push(name)
                .push("`, and names key the report's JSON: give one of them another name with `#[health_check(name = \"..\")]`");
            panic!("{}", message.as_str());
        }
        earlier += 1;
    }
}

/// Byte equality of two strings, in `const`.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Text assembled in `const` (a compile-time error message), cut at a
/// character boundary if it outgrows its buffer.
struct ConstText {
    bytes: [u8; 512],
    len: usize,
}

impl ConstText {
    const fn new() -> ConstText {
        ConstText {
            bytes: [0; 512],
            len: 0,
        }
    }

    const fn push(mut self, text: &str) -> ConstText {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    const fn as_str(&self) -> &str {
        let mut len = self.len;
        loop {
            match std::str::from_utf8(self.bytes.split_at(len).0) {
                Ok(text) => return text,
                Err(_) => len -= 1,
            }
        }
    }
}
