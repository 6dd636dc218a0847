//! Built-in dependency checks (`docs/design.md`, "Built-in checks"), each
//! behind a cargo feature of `health-core`.
//!
//! Every integration offers the same two shapes:
//!
//! - a plain async function that checks a handle you already have and returns
//!   a [`CheckOutcome`](crate::CheckOutcome) with details, for a one-line
//!   `#[health_check]` wrapper;
//! - a struct implementing [`Check<S>`](crate::Check) for every state `S`, for
//!   registries assembled at run time, with builder methods that adjust its
//!   [`CheckSpec`](crate::CheckSpec) (`critical()`, `timeout()`,
//!   `interval()`, `probes()`, `failure_threshold()`, `success_threshold()`).
//!
//! ```no_run
//! # #[cfg(all(feature = "sqlx-postgres", feature = "redis"))]
//! # mod example {
//! use std::time::Duration;
//!
//! use health_core::checks::{postgres, redis::RedisCheck};
//! use health_core::prelude::*;
//!
//! struct AppState {
//!     db: sqlx::PgPool,
//! }
//!
//! #[health_check(critical, timeout = "2s")]
//! async fn primary_db(state: &AppState) -> CheckOutcome {
//!     postgres::ping(&state.db).await
//! }
//!
//! async fn registry(state: AppState, cache: redis::aio::ConnectionManager) -> Health<AppState> {
//!     Health::builder(state)
//!         .check(RedisCheck::new("cache", cache).timeout(Duration::from_millis(500)))
//!         .build()
//!         .expect("valid checks")
//! }
//! # }
//! ```
//!
//! The checks talk to the dependency through the handle the application uses
//! (its pool, client or connection), never to another service's HTTP health
//! endpoint. They do no timing of their own: the runtime enforces the
//! deadline, catches panics and caches results.
//!
//! | feature | module | checks |
//! |---|---|---|
//! | `sqlx-postgres` | `postgres` | sqlx `PgPool` |
//! | `deadpool-postgres` | `deadpool_postgres` | deadpool-postgres `Pool` (tokio-postgres) |
//! | `sqlx-mysql` | `mysql` | sqlx `MySqlPool` (MySQL, MariaDB) |
//! | `sqlx-sqlite` | `sqlite` | sqlx `SqlitePool` |
//! | `redis` | `redis` | redis-rs `ConnectionManager`, any async connection |
//! | `lapin` | `rabbitmq` | lapin `Connection` (RabbitMQ, AMQP 0.9.1) |
//! | `nats` | `nats` | async-nats `Client` |
//! | `mqtt` | `mqtt` | rumqttc event loop observations |
//! | `tcp` | `tcp` | plain TCP connect |
//! | `system` | `disk`, `memory` | free disk space, process memory |

#[cfg(feature = "deadpool-postgres")]
pub mod deadpool_postgres;
#[cfg(feature = "system")]
pub mod disk;
#[cfg(feature = "system")]
pub mod memory;
#[cfg(feature = "mqtt")]
pub mod mqtt;
#[cfg(feature = "sqlx-mysql")]
pub mod mysql;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "sqlx-postgres")]
pub mod postgres;
#[cfg(feature = "lapin")]
pub mod rabbitmq;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "sqlx-sqlite")]
pub mod sqlite;
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-mysql", feature = "sqlx-sqlite"))]
pub mod sqlx_pool;
#[cfg(feature = "tcp")]
pub mod tcp;

#[allow(unused_imports)] // not every feature set uses every helper
pub(crate) use helpers::*;

#[allow(dead_code)] // not every feature set uses every helper
mod helpers {
    use std::future::Future;
    use std::time::{Duration, Instant};

    use crate::model::outcome::CheckOutcome;

    /// Runs `work` and measures how long it took.
    pub(crate) async fn timed<F: Future>(work: F) -> (F::Output, Duration) {
        let started = Instant::now();
        let output = work.await;
        (output, started.elapsed())
    }

    /// `error` and its causes (`source()` chain), each cause the text does
    /// not already contain appended after `: `.
    pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
        let mut text = error.to_string();
        let mut cause = error.source();
        while let Some(source) = cause {
            let more = source.to_string();
            if !text.contains(&more) {
                text.push_str(": ");
                text.push_str(&more);
            }
            cause = source.source();
        }
        text
    }

    /// Adds the round-trip `latency_ms` detail (milliseconds, microsecond precision).
    pub(crate) fn with_latency(outcome: CheckOutcome, latency: Duration) -> CheckOutcome {
        outcome.with_detail("latency_ms", crate::report::json::millis(latency))
    }

    /// Adds the pool details every pooled check reports: `pool_size` (open
    /// connections), `pool_available` (idle ones), `pool_in_use` and `pool_max`.
    pub(crate) fn with_pool(outcome: CheckOutcome, size: usize, available: usize, max: usize) -> CheckOutcome {
        outcome
            .with_detail("pool_size", size)
            .with_detail("pool_available", available)
            .with_detail("pool_in_use", size.saturating_sub(available))
            .with_detail("pool_max", max)
    }
}

/// Implements the spec builder methods and `Check<S>` (for every `S`) for a
/// built-in check struct with a `spec: CheckSpec` field; `|this| future`
/// runs the check.
#[allow(unused_macros)] // not every feature set uses it
macro_rules! builtin_check {
    (impl [$($generics:tt)*] $ty:ty where [$($bounds:tt)*], |$this:ident| $run:expr) => {
        impl<$($generics)*> $ty where $($bounds)* {
            /// Marks the check critical: its failure makes readiness answer 503
            /// `not_ready` (else 200 `degraded`).
            #[must_use]
            pub fn critical(mut self) -> Self {
                self.spec = self.spec.critical();
                self
            }

            /// Sets the deadline of one run (default 1 s).
            #[must_use]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.spec = self.spec.timeout(timeout);
                self
            }

            /// Sets how long a result stays fresh (default 1 s).
            #[must_use]
            pub fn interval(mut self, interval: ::std::time::Duration) -> Self {
                self.spec = self.spec.interval(interval);
                self
            }

            /// Sets the probes the check belongs to (default readiness).
            #[must_use]
            pub fn probes(mut self, probes: $crate::Probes) -> Self {
                self.spec = self.spec.probes(probes);
                self
            }

            /// Sets the consecutive failures needed before the check is reported failing.
            #[must_use]
            pub fn failure_threshold(mut self, n: u32) -> Self {
                self.spec = self.spec.failure_threshold(n);
                self
            }

            /// Sets the consecutive passes needed before the check is reported passing again.
            #[must_use]
            pub fn success_threshold(mut self, n: u32) -> Self {
                self.spec = self.spec.success_threshold(n);
                self
            }
        }

        impl<S: ?Sized, $($generics)*> $crate::Check<S> for $ty where $($bounds)* {
            fn spec(&self) -> $crate::CheckSpec {
                self.spec.clone()
            }

            fn run<'a>(&'a self, _state: &'a S) -> $crate::BoxFuture<'a, $crate::CheckOutcome> {
                let $this = self;
                Box::pin($run)
            }
        }
    };
    ($ty:ty, |$this:ident| $run:expr) => {
        $crate::checks::builtin_check!(impl [] $ty where [], |$this| $run);
    };
}
#[allow(unused_imports)]
pub(crate) use builtin_check;

#[cfg(test)]
mod tests {
    use std::fmt;

    #[derive(Debug)]
    struct Wrapper(std::io::Error, &'static str);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn error_chains_name_each_cause_once() {
        let refused = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let hidden = Wrapper(refused(), "error connecting to server");
        assert_eq!(
            super::error_chain(&hidden),
            "error connecting to server: connection refused"
        );
        let shown = Wrapper(refused(), "error communicating: connection refused");
        assert_eq!(super::error_chain(&shown), "error communicating: connection refused");
    }
}
