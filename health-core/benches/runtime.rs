//! Criterion benchmarks of the runtime against hand-written equivalents
//! measured in the same run (BENCHMARKS.md reports the ratios):
//!
//! - `executor`: N trivial checks run by a registry (every probe a fresh
//!   run, or a cache hit) vs `join_all` of `tokio::time::timeout`s.
//! - `report`: a derived report's `collect` over 10 checks vs the same
//!   aggregation written by hand with `tokio::join!` and timeouts.
//! - `snapshot`: a background-mode readiness answer serialized to JSON vs a
//!   hand-written snapshot of three flags serialized to JSON.
//!
//! Run with `cargo bench -p health-core --bench runtime`.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::future::join_all;
use health_core::__private::IntoCheckOutcome;
use health_core::prelude::*;
use health_core::BoxFuture;
use serde::Serialize;
use tokio::runtime::Runtime;
use tokio::time::timeout;

const DEADLINE: Duration = Duration::from_secs(1);

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// The trivial dependency call every variant makes.
async fn ping() -> Result<(), String> {
    black_box(Ok(()))
}

/// A run-time check around `ping`, named `check<i>`.
struct Trivial(CheckSpec);

impl Check<()> for Trivial {
    fn spec(&self) -> CheckSpec {
        self.0.clone()
    }

    fn run<'a>(&'a self, _state: &'a ()) -> BoxFuture<'a, CheckOutcome> {
        Box::pin(async { ping().await.into_check_outcome() })
    }
}

/// A registry of `n` trivial checks whose results stay fresh for `interval`.
fn registry(n: usize, interval: Duration) -> Health<()> {
    (0..n)
        .fold(Health::builder(()), |builder, i| {
            let spec = CheckSpec::with_name(format!("check{i}").into())
                .critical()
                .interval(interval)
                .timeout(DEADLINE);
            builder.check(Trivial(spec))
        })
        .build()
        .unwrap()
}

/// What people write: every check under a timeout, all at once, folded.
async fn hand_written(n: usize) -> bool {
    let results = join_all((0..n).map(|_| timeout(DEADLINE, ping()))).await;
    results.iter().all(|r| matches!(r, Ok(Ok(()))))
}

fn executor(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("executor");
    for n in [1usize, 10, 100] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("hand_written_join_timeout", n), &n, |b, &n| {
            b.to_async(&rt).iter(|| hand_written(n))
        });
        // interval = 1ns: every probe runs every check again.
        let fresh_runs = rt.block_on(async { registry(n, Duration::from_nanos(1)) });
        group.bench_with_input(BenchmarkId::new("registry_fresh_runs", n), &n, |b, _| {
            b.to_async(&rt).iter(|| async { fresh_runs.readiness().await.status() })
        });
        let cached = rt.block_on(async { registry(n, Duration::from_secs(3600)) });
        group.bench_with_input(BenchmarkId::new("registry_cache_hit", n), &n, |b, _| {
            b.to_async(&rt).iter(|| async { cached.readiness().await.status() })
        });
    }
    group.finish();
}

/// The state of the report's checks (its own type keeps them out of the
/// `executor` registries).
struct Shop;

/// Ten annotated checks, a derived report over them, and the same
/// aggregation written by hand.
macro_rules! ten_checks {
    ($($name:ident),*) => {
        $(
            #[health_check(critical)]
            async fn $name(_state: &Shop) -> Result<(), String> {
                ping().await
            }
        )*

        #[derive(HealthReport)]
        #[health(state = Shop)]
        struct Derived {
            $($name: CheckResult,)*
        }

        /// The hand-written report: one field per check, `Err` on timeout.
        struct HandWritten {
            $($name: Result<(), String>,)*
        }

        impl HandWritten {
            async fn collect(state: &Shop) -> HandWritten {
                let ($($name,)*) = tokio::join!($(timeout(DEADLINE, $name(state)),)*);
                HandWritten {
                    $($name: $name.unwrap_or_else(|_| Err("timeout".into())),)*
                }
            }

            fn ready(&self) -> bool {
                true $(&& self.$name.is_ok())*
            }
        }
    };
}

ten_checks!(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9);

fn report(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("report");
    group.throughput(Throughput::Elements(10));
    group.bench_function("hand_written_join", |b| {
        b.to_async(&rt)
            .iter(|| async { HandWritten::collect(&Shop).await.ready() })
    });
    group.bench_function("derived_collect", |b| {
        b.to_async(&rt)
            .iter(|| async { Derived::collect(&Shop).await.status() })
    });
    group.finish();
}

/// Three flags kept up to date by background tasks, as people hand-write it.
#[derive(Default)]
struct Flags {
    db: AtomicBool,
    cache: AtomicBool,
    queue: AtomicBool,
}

#[derive(Serialize)]
struct FlagsBody {
    status: &'static str,
    db: bool,
    cache: bool,
    queue: bool,
}

fn snapshot(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("snapshot");
    let flags = Flags::default();
    flags.db.store(true, Ordering::Relaxed);
    flags.cache.store(true, Ordering::Relaxed);
    flags.queue.store(true, Ordering::Relaxed);
    group.bench_function("hand_written_flags_to_json", |b| {
        b.iter(|| {
            let (db, cache, queue) = (
                flags.db.load(Ordering::Relaxed),
                flags.cache.load(Ordering::Relaxed),
                flags.queue.load(Ordering::Relaxed),
            );
            let status = if db && cache && queue { "ready" } else { "not_ready" };
            serde_json::to_vec(&FlagsBody {
                status,
                db,
                cache,
                queue,
            })
            .unwrap()
        })
    });
    let health = rt.block_on(async {
        let background = Health::builder(())
            .background()
            .check(Trivial(
                CheckSpec::new("db").critical().interval(Duration::from_secs(3600)),
            ))
            .check(Trivial(CheckSpec::new("cache").interval(Duration::from_secs(3600))))
            .check(Trivial(CheckSpec::new("queue").interval(Duration::from_secs(3600))))
            .build()
            .unwrap();
        // Let the schedulers produce the first results.
        while background.readiness().await.status() != Status::Ready {
            tokio::task::yield_now().await;
        }
        background
    });
    group.bench_function("background_readiness_to_json", |b| {
        b.to_async(&rt)
            .iter(|| async { serde_json::to_vec(&health.readiness().await).unwrap() })
    });
    group.finish();
}

criterion_group!(benches, executor, report, snapshot);
criterion_main!(benches);
