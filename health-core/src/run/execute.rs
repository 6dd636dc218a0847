//! Running one check once: under its deadline (tokio time, never signals),
//! with panics caught, blocking work on the blocking pool at most once in
//! flight.

use std::any::Any;
use std::future::{poll_fn, Future};
use std::panic::AssertUnwindSafe;
use std::pin::{pin, Pin};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::{FutureExt, Shared};
use tokio::time::{Instant, Sleep};

use crate::model::outcome::{CheckOutcome, IntoCheckOutcome};
use crate::model::result::{Observation, RunEnd};
use crate::run::check::BoxFuture;

/// A check's run, pinned where its caller keeps it.
pub(crate) type Run<'a> = Pin<&'a mut (dyn Future<Output = CheckOutcome> + Send + 'a)>;

/// Runs `run` under `deadline`, turning panics and a missed deadline into
/// failures; the caller drops the run when this returns.
///
/// Not generic: one copy serves every check, whatever its future's type
/// (a report over 100 checks would otherwise compile this 100 times).
pub(crate) async fn observe(deadline: Duration, run: Run<'_>) -> Observation {
    // One clock read here and one when the run ends: the deadline is derived
    // from the start rather than read again.
    let started = Instant::now();
    let mut guarded = pin!(AssertUnwindSafe(run).catch_unwind());
    // The timer is armed on the first poll that finds the check pending
    // (always, for checks doing I/O); a check done at once never needs one.
    let mut timer: Option<Pin<Box<Sleep>>> = None;
    let finished = poll_fn(|cx| {
        if let Poll::Ready(result) = guarded.as_mut().poll(cx) {
            return Poll::Ready(Some(result));
        }
        let timer = timer.get_or_insert_with(|| {
            // Validated deadlines are at most a minute; this stays total for any.
            Box::pin(match started.checked_add(deadline) {
                Some(at) => tokio::time::sleep_until(at),
                None => tokio::time::sleep(deadline),
            })
        });
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await;
    let end = match finished {
        None => RunEnd::MissedDeadline,
        Some(Ok(outcome)) => RunEnd::Returned(outcome),
        Some(Err(panic)) => RunEnd::Returned(CheckOutcome::panicked(panic_message(panic.as_ref()))),
    };
    Observation::new(end, deadline, started)
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload");
    format!("panicked: {text}")
}

/// Adapts the future of an `async` check function into an entry point: one
/// allocation, and a wrapper whose only code is a call to the function's
/// `poll` (the conversion of what it returns is compiled once per return
/// type).
pub fn run_async<'a, F>(check: F) -> BoxFuture<'a, CheckOutcome>
where
    F: Future + Send + 'a,
    F::Output: IntoCheckOutcome,
{
    Box::pin(Converted(check))
}

/// A check function's future, yielding its outcome.
struct Converted<F>(F);

impl<F> Future for Converted<F>
where
    F: Future,
    F::Output: IntoCheckOutcome,
{
    type Output = CheckOutcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<CheckOutcome> {
        // SAFETY: structural pinning. The future is never moved out of the
        // pinned wrapper, which has no `Drop` impl and is `Unpin` only if
        // the future is.
        let check = unsafe { self.map_unchecked_mut(|converted| &mut converted.0) };
        check.poll(cx).map(IntoCheckOutcome::into_check_outcome)
    }
}

/// The run of a blocking check that is in flight, shared by everyone waiting.
type InFlight = Shared<BoxFuture<'static, CheckOutcome>>;

/// The slot of one blocking check: the run in flight, if any.
///
/// A blocking function cannot be cancelled. When its deadline passes, the
/// runtime stops waiting but the thread keeps running; later runs join it
/// instead of starting another, so a hung dependency never piles up threads.
pub struct BlockingSlot {
    in_flight: Mutex<Option<InFlight>>,
}

impl BlockingSlot {
    /// An empty slot (`#[health_check(blocking)]` puts one in a `static`).
    pub const fn new() -> BlockingSlot {
        BlockingSlot {
            in_flight: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<InFlight>> {
        self.in_flight.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for BlockingSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingSlot")
            .field("in_flight", &self.lock().is_some())
            .finish()
    }
}

impl Default for BlockingSlot {
    fn default() -> Self {
        BlockingSlot::new()
    }
}

/// Runs `check` on tokio's blocking pool, or joins the run already in flight
/// for this slot. Panics become a `panicked` outcome.
pub fn run_blocking<F, R>(slot: &'static BlockingSlot, check: F) -> BoxFuture<'static, CheckOutcome>
where
    F: FnOnce() -> R + Send + 'static,
    R: IntoCheckOutcome,
{
    let mut in_flight = slot.lock();
    if let Some(run) = in_flight.as_ref() {
        return Box::pin(run.clone());
    }
    let handle = tokio::task::spawn_blocking(move || {
        // Free the slot from the thread itself, however the run ends:
        // whoever waited may be gone.
        let _free = FreeOnDrop(slot);
        // The outcome is built inside too: it formats the check's error,
        // whose `Display` is the check's code and may panic as well.
        match std::panic::catch_unwind(AssertUnwindSafe(|| check().into_check_outcome())) {
            Ok(outcome) => outcome,
            Err(panic) => CheckOutcome::panicked(panic_message(panic.as_ref())),
        }
    });
    let run: BoxFuture<'static, CheckOutcome> = Box::pin(handle.map(|joined| {
        // Only a runtime shutting down cancels the task; a panic was caught.
        joined.unwrap_or_else(|e| CheckOutcome::panicked(format!("blocking task lost: {e}")))
    }));
    let run = run.shared();
    *in_flight = Some(run.clone());
    Box::pin(run)
}

/// Empties a blocking slot when dropped, so that it runs again.
struct FreeOnDrop(&'static BlockingSlot);

impl Drop for FreeOnDrop {
    fn drop(&mut self) {
        *self.0.lock() = None;
    }
}

/// The state a blocking check moves onto the blocking pool: a clone of the
/// registry's state.
#[diagnostic::on_unimplemented(
    message = "a `blocking` health check needs a state that is `Clone + Send + Sync + 'static`, and `{Self}` is not",
    label = "a clone of this state is moved onto the blocking pool",
    note = "derive `Clone` for the state (keep pools and handles in `Arc`s), or make the check `async`"
)]
pub trait BlockingState: Sized {
    /// The clone that the blocking check runs on.
    fn clone_for_blocking_pool(&self) -> Self;
}

impl<T: Clone + Send + Sync + 'static> BlockingState for T {
    fn clone_for_blocking_pool(&self) -> Self {
        self.clone()
    }
}
