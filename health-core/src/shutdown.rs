//! Graceful shutdown: readiness flips first, listeners drain, then stop
//! (the HTTP listeners, the gRPC server, and servers of your own through
//! [`Registry::shutdown_signal`](crate::Registry::shutdown_signal)).
//!
//! SIGTERM and SIGINT are listened to by one thread per process, started
//! the first time an entry point that handles signals is polled (never when
//! it is merely built). From then on, for the life of the process, a signal:
//!
//! - while some entry point is waiting for one, and none is draining after
//!   one, begins shutdown on every registry waiting;
//! - during a drain a signal began (the drain is stuck, or the operator is
//!   in a hurry), or while no entry point is waiting (its server stopped or
//!   was dropped), exits the process at once with 128 + the signal's number
//!   (143 for SIGTERM, 130 for SIGINT), after an error log line saying so:
//!   the process never ignores a termination signal.
//!
//! A signal during a drain the application began (`begin_shutdown`) joins
//! that drain, as a first signal. With signal handling off
//! (`HealthBuilder::handle_signals(false)`, or per listener), nothing is
//! registered and the signals are the application's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::health::Registry;

/// Entry points draining after a signal: a signal now exits the process.
static DRAINING: AtomicUsize = AtomicUsize::new(0);

/// One entry point draining after a signal, until dropped.
struct Draining;

impl Draining {
    fn begin() -> Draining {
        DRAINING.fetch_add(1, Ordering::SeqCst);
        Draining
    }
}

impl Drop for Draining {
    fn drop(&mut self) {
        DRAINING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The termination signals one entry point waits for.
struct Subscription(Option<tokio::sync::watch::Receiver<u64>>);

impl Subscription {
    /// Subscribes when `handle_signals` (starting the listening thread the
    /// first time), saying so when signals cannot be handled.
    fn new(handle_signals: bool) -> Subscription {
        Subscription(handle_signals.then(signals::subscribe).and_then(|subscribed| {
            subscribed
                .map_err(|e| tracing::warn!("termination signals are not handled: {e}"))
                .ok()
        }))
    }

    /// Resolves on the next signal published; never without a subscription.
    async fn next(&mut self) {
        match &mut self.0 {
            // The sender is static: the channel never closes.
            Some(signals) => drop(signals.changed().await),
            None => std::future::pending().await,
        }
    }
}

/// Waits until shutdown begins ([`Registry::begin_shutdown`](crate::Registry::begin_shutdown), or a
/// termination signal when `handle_signals`), begins it if a signal came,
/// then waits `drain_delay` while readiness answers `shutting_down`.
/// Signals are subscribed to here, when first polled.
pub(crate) async fn drained(health: &Registry, handle_signals: bool, drain_delay: Duration) {
    let mut signals = Subscription::new(handle_signals);
    let mut draining = tokio::select! {
        () = health.shutdown_begun() => None,
        () = signals.next() => Some(Draining::begin()),
    };
    health.begin_shutdown();
    tracing::info!(drain_delay = ?drain_delay, "draining: readiness answers shutting_down");
    let drain = sleep(drain_delay);
    tokio::pin!(drain);
    if draining.is_none() {
        // Begun by the application: a first signal now joins the drain.
        tokio::select! {
            () = &mut drain => return,
            () = signals.next() => draining = Some(Draining::begin()),
        }
    }
    drain.await;
    drop(draining);
}

/// Waits `delay` on tokio's timer, or on a thread when polled outside a
/// tokio runtime (which has no timer), saying so rather than panicking.
async fn sleep(delay: Duration) {
    if tokio::runtime::Handle::try_current().is_ok() {
        return tokio::time::sleep(delay).await;
    }
    tracing::error!("the shutdown future was polled outside a tokio runtime: the drain delay runs on a thread");
    let (done, waited) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let _ = done.send(());
    });
    let _ = waited.await;
}

#[cfg(unix)]
mod signals {
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, OnceLock};

    use tokio::signal::unix::{signal, Signal, SignalKind};
    use tokio::sync::watch;

    /// The termination signals published to the entry points waiting (a
    /// count), by the listening thread; `Err` when it could not start.
    static RECEIVED: OnceLock<Result<Arc<watch::Sender<u64>>, String>> = OnceLock::new();

    /// Every termination signal published from now on; starts the
    /// listening thread the first time.
    pub(super) fn subscribe() -> Result<watch::Receiver<u64>, String> {
        match RECEIVED.get_or_init(start) {
            Ok(received) => Ok(received.subscribe()),
            Err(e) => Err(e.clone()),
        }
    }

    /// Starts the thread listening to SIGTERM and SIGINT, on a runtime of
    /// its own (so a stuck or absent application runtime cannot swallow a
    /// second signal); returns once the handlers are installed.
    fn start() -> Result<Arc<watch::Sender<u64>>, String> {
        let received = Arc::new(watch::Sender::new(0));
        let publish = Arc::clone(&received);
        let (installed, outcome) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("health-signals".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_io().build() {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        return drop(installed.send(Err(format!("cannot start the signal thread's runtime: {e}"))))
                    }
                };
                runtime.block_on(async move {
                    let listen = || {
                        Ok::<_, std::io::Error>((signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?))
                    };
                    match listen() {
                        Ok((terminate, interrupt)) => {
                            let _ = installed.send(Ok(()));
                            listen_forever(terminate, interrupt, &publish).await;
                        }
                        Err(e) => drop(installed.send(Err(format!("cannot listen to SIGTERM/SIGINT: {e}")))),
                    }
                });
            })
            .map_err(|e| format!("cannot start the signal thread: {e}"))?;
        outcome
            .recv()
            .map_err(|_| "the signal thread ended before listening".to_owned())??;
        Ok(received)
    }

    /// Publishes a signal to the entry points waiting for one; exits the
    /// process during a drain a signal began, or when nobody waits.
    async fn listen_forever(mut terminate: Signal, mut interrupt: Signal, received: &watch::Sender<u64>) {
        loop {
            let (name, code) = tokio::select! {
                _ = terminate.recv() => ("SIGTERM", 143),
                _ = interrupt.recv() => ("SIGINT", 130),
            };
            if super::DRAINING.load(Ordering::SeqCst) > 0 {
                tracing::error!(
                    "{name} received again while draining: exiting now ({code}), without finishing the drain"
                );
            } else if received.receiver_count() > 0 {
                tracing::info!("{name} received: shutting down (another signal during the drain exits at once)");
                received.send_modify(|count| *count += 1);
                continue;
            } else {
                tracing::error!("{name} received with no health listener waiting for it: exiting now ({code})");
            }
            std::process::exit(code);
        }
    }
}

#[cfg(not(unix))]
mod signals {
    /// Termination signals are only handled on Unix.
    pub(super) fn subscribe() -> Result<tokio::sync::watch::Receiver<u64>, String> {
        Err("termination signals are only handled on Unix; call `begin_shutdown`".into())
    }
}

impl Registry {
    /// A future for a server's graceful shutdown: resolves once SIGTERM or
    /// SIGINT arrived (or [`Registry::begin_shutdown`](crate::Registry::begin_shutdown) was called), readiness
    /// flipped to `shutting_down`, and `drain_delay` passed.
    ///
    /// Signals are listened to from the future's first poll, and only when
    /// the registry handles them (the default; see
    /// [`HealthBuilder::handle_signals`](crate::HealthBuilder::handle_signals)):
    /// building the future and dropping it leaves the process's signals as
    /// they were. A second signal during the drain exits the process at once
    /// (docs/design.md, "Limits and access", "Signals").
    /// It needs no runtime to be created, and is meant to be polled on a
    /// tokio runtime.
    ///
    /// With axum: `axum::serve(listener, app).with_graceful_shutdown(health.shutdown_signal(drain))`.
    ///
    /// ```no_run
    /// # async fn run(health: health_core::Health<()>) {
    /// use std::time::Duration;
    ///
    /// health.shutdown_signal(Duration::from_secs(5)).await;
    /// // Readiness has answered `shutting_down` for 5 s: stop accepting,
    /// // let in-flight requests finish.
    /// # }
    /// ```
    pub fn shutdown_signal(&self, drain_delay: Duration) -> impl std::future::Future<Output = ()> + Send + 'static {
        let health = self.clone();
        async move { drained(&health, health.handles_signals(), drain_delay).await }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    use std::time::{Duration, Instant};

    use crate::Health;

    /// Wakes a parked thread.
    struct Unpark(std::thread::Thread);

    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    /// Polls `future` to its end on this thread, with no tokio runtime.
    fn block_on<F: Future>(future: F) -> F::Output {
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut context = Context::from_waker(&waker);
        let mut future = pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
            std::thread::park();
        }
    }

    #[test]
    fn the_shutdown_future_is_made_and_polled_outside_a_runtime_without_panicking() {
        for handle_signals in [false, true] {
            let health = Health::builder(()).handle_signals(handle_signals).build().unwrap();
            let drain = Duration::from_millis(50);
            let drained = health.shutdown_signal(drain);
            health.begin_shutdown();
            let started = Instant::now();
            block_on(drained);
            assert!(started.elapsed() >= drain, "drained first");
        }
    }
}
