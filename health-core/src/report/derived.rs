//! Typed reports: what `#[derive(HealthReport)]` implements, and the sources
//! a report collects its results from.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::{maybe_done, MaybeDone};

use crate::model::result::CheckResult;
use crate::model::status::{fold_readiness, Status};
use crate::run::check::CheckRef;
use crate::run::execute::observe;

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
    type State: Sync + 'static;

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
pub trait CheckSource<S: 'static>: Sync {
    /// The result of `check`.
    fn result(&self, check: CheckRef<S>) -> impl Future<Output = CheckResult> + Send;
}

/// The results of `checks` from `source`, obtained concurrently, in order
/// (what derived reports call: generic over the source and the number of
/// checks, never over a check).
pub fn collect<'a, S: Sync + 'static, const N: usize>(
    source: &'a impl CheckSource<S>,
    checks: [CheckRef<S>; N],
) -> impl Future<Output = [CheckResult; N]> + Send + 'a {
    JoinArray(checks.map(|check| maybe_done(source.result(check))))
}

/// Futures of one type awaited side by side in place (no allocation),
/// their outputs in order.
struct JoinArray<F: Future, const N: usize>([MaybeDone<F>; N]);

impl<F: Future, const N: usize> Future for JoinArray<F, N> {
    type Output = [F::Output; N];

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning. The futures are never moved out of the
        // pinned array (only their outputs are taken), `JoinArray` has no
        // `Drop` impl, and it is `Unpin` only if they all are.
        let futures = unsafe { &mut self.get_unchecked_mut().0 };
        let mut all_done = true;
        for future in futures.iter_mut() {
            all_done &= unsafe { Pin::new_unchecked(future) }.poll(cx).is_ready();
        }
        if !all_done {
            return Poll::Pending;
        }
        Poll::Ready(std::array::from_fn(|i| {
            // SAFETY: as above.
            let future = unsafe { Pin::new_unchecked(&mut futures[i]) };
            future.take_output().expect("polled to completion just above")
        }))
    }
}

/// Runs each check once, directly on the borrowed state.
struct RunOnce<'a, S>(&'a S);

impl<S: Sync + 'static> CheckSource<S> for RunOnce<'_, S> {
    fn result(&self, check: CheckRef<S>) -> impl Future<Output = CheckResult> + Send {
        run_once(self.0, check)
    }
}

/// Runs `check` once under its deadline.
pub(crate) async fn run_once<S: Sync + 'static>(state: &S, check: CheckRef<S>) -> CheckResult {
    let spec = check.spec();
    let mut run = check.run(state);
    let observation = observe(spec.timeout, run.as_mut()).await;
    CheckResult::from_single_run(&spec, observation)
}

/// A report's check as its distinct-names assertion sees it: the name, how
/// an error shows the check, and a hash of the name (comparing hashes keeps
/// the compile-time evaluation cheap; names are compared only when two
/// hashes are equal).
#[derive(Debug, Clone, Copy)]
pub struct CheckName {
    name: &'static str,
    shown: &'static str,
    hash: u64,
}

impl CheckName {
    /// The entry of a check named `name`, shown as `shown` in errors.
    pub const fn new(name: &'static str, shown: &'static str) -> CheckName {
        // FNV-1a.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let bytes = name.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        CheckName { name, shown, hash }
    }
}

/// Fails compilation when the check at `index` of a report shares its name
/// with an earlier one.
pub const fn assert_distinct_name(checks: &[CheckName], index: usize) {
    let CheckName { name, shown, hash } = checks[index];
    let mut earlier = 0;
    while earlier < index {
        let other = checks[earlier];
        if other.hash == hash && str_eq(other.name, name) {
            let message = ConstText::new()
                .push("the checks ")
                .push(other.shown)
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::future::maybe_done;
    use tokio::time::{sleep, Instant};

    use super::JoinArray;

    #[tokio::test(start_paused = true)]
    async fn joined_futures_run_concurrently_and_outputs_keep_their_order() {
        let start = Instant::now();
        let outputs = JoinArray([300, 100, 200].map(|ms| {
            maybe_done(async move {
                sleep(Duration::from_millis(ms)).await;
                ms
            })
        }))
        .await;
        assert_eq!(outputs, [300, 100, 200]);
        assert_eq!(start.elapsed(), Duration::from_millis(300));
    }
}
