//! Graceful shutdown: readiness flips first, listeners drain, then stop
//! (the HTTP listeners, the gRPC server, and servers of your own through
//! [`Health::shutdown_signal`]).

use std::time::Duration;

use crate::Health;

/// The termination signals a process gets from its orchestrator, registered
/// as soon as this exists (so a signal arriving before the first poll is
/// not lost and does not kill the process).
pub(crate) struct TerminationSignals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl TerminationSignals {
    /// Registers SIGTERM and SIGINT handlers (when `enabled`).
    pub fn register(enabled: bool) -> TerminationSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let listen = |kind: SignalKind| {
                enabled.then(|| signal(kind)).and_then(|registered| {
                    registered
                        .map_err(|e| tracing::warn!("cannot listen to a signal: {e}"))
                        .ok()
                })
            };
            TerminationSignals {
                terminate: listen(SignalKind::terminate()),
                interrupt: listen(SignalKind::interrupt()),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = enabled;
            TerminationSignals {}
        }
    }

    /// Resolves on the first signal; never without signals.
    async fn received(&mut self) {
        #[cfg(unix)]
        {
            async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = next(&mut self.terminate) => tracing::info!("SIGTERM received"),
                () = next(&mut self.interrupt) => tracing::info!("SIGINT received"),
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}

/// Waits until shutdown begins (a signal, or [`Health::begin_shutdown`]),
/// begins it if a signal came, then waits `drain_delay` while readiness
/// answers `shutting_down`.
pub(crate) async fn drained<S: Send + Sync + 'static>(
    health: &Health<S>,
    mut signals: TerminationSignals,
    drain_delay: Duration,
) {
    tokio::select! {
        () = health.shutdown_begun() => {}
        () = signals.received() => health.begin_shutdown(),
    }
    tracing::info!(drain_delay = ?drain_delay, "draining: readiness answers shutting_down");
    tokio::time::sleep(drain_delay).await;
}

impl<S: Send + Sync + 'static> Health<S> {
    /// A future for a server's graceful shutdown: resolves once SIGTERM or
    /// SIGINT arrived (or [`Health::begin_shutdown`] was called), readiness
    /// flipped to `shutting_down`, and `drain_delay` passed. The signal
    /// handlers are registered when this is called.
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
        let signals = TerminationSignals::register(true);
        async move { drained(&health, signals, drain_delay).await }
    }
}
