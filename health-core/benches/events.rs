//! Criterion benchmarks of what the health state costs when it leaves the
//! process (BENCHMARKS.md reports them):
//!
//! - `metrics`: one fresh run of N checks (every probe a new run) with the
//!   `metrics` feature recording into an installed Prometheus exporter, vs
//!   the same with no recorder installed: the cost of recording one run.
//! - `subscribers`: one transition delivered to 1 000 subscribers, each a
//!   task awaiting `recv()`, from the run that causes it until the last one
//!   has it.
//!
//! Run with `cargo bench -p health-core --features metrics --bench events`.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use health_core::prelude::*;
use health_core::BoxFuture;
use metrics_exporter_prometheus::PrometheusBuilder;
use tokio::sync::Notify;

/// A check that passes or fails as its switch says.
struct Switch(CheckSpec, Arc<AtomicBool>);

impl Check<()> for Switch {
    fn spec(&self) -> CheckSpec {
        self.0.clone()
    }

    fn run<'a>(&'a self, _state: &'a ()) -> BoxFuture<'a, CheckOutcome> {
        let up = self.1.load(Ordering::Relaxed);
        Box::pin(async move {
            if black_box(up) {
                CheckOutcome::pass()
            } else {
                CheckOutcome::fail("down")
            }
        })
    }
}

/// `n` checks whose results are never fresh: every probe runs them all.
fn registry(n: usize, up: &Arc<AtomicBool>) -> Health<()> {
    (0..n)
        .fold(Health::builder(()), |builder, i| {
            let spec = CheckSpec::with_name(format!("check{i}").into()).interval(Duration::from_nanos(1));
            builder.check(Switch(spec, Arc::clone(up)))
        })
        .build()
        .unwrap()
}

fn metrics(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let exporter = PrometheusBuilder::new().build_recorder();
    let mut group = c.benchmark_group("metrics");
    for n in [1, 10] {
        let up = Arc::new(AtomicBool::new(true));
        let without = registry(n, &up);
        let with = metrics::with_local_recorder(&exporter, || registry(n, &up));
        group.bench_with_input(BenchmarkId::new("run without recorder", n), &n, |b, _| {
            b.to_async(&runtime).iter(|| without.readiness());
        });
        group.bench_with_input(BenchmarkId::new("run recorded", n), &n, |b, _| {
            b.to_async(&runtime).iter(|| with.readiness());
        });
    }
    group.finish();
}

fn subscribers(c: &mut Criterion) {
    const SUBSCRIBERS: usize = 1000;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let up = Arc::new(AtomicBool::new(true));
    let health = runtime.block_on(async { registry(1, &up) });
    let received = Arc::new(AtomicUsize::new(0));
    let all_received = Arc::new(Notify::new());
    for _ in 0..SUBSCRIBERS {
        let mut changes = health.subscribe();
        let (received, all_received) = (Arc::clone(&received), Arc::clone(&all_received));
        runtime.spawn(async move {
            while let Some(change) = changes.recv().await {
                // Count the check's transitions only (each flip also changes readiness).
                if matches!(change, Ok(health_core::Transition::Check(_)))
                    && received.fetch_add(1, Ordering::AcqRel) + 1 == SUBSCRIBERS
                {
                    all_received.notify_one();
                }
            }
        });
    }
    let mut group = c.benchmark_group("subscribers");
    group.bench_function(BenchmarkId::new("one transition to all", SUBSCRIBERS), |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    received.store(0, Ordering::Release);
                    up.fetch_xor(true, Ordering::AcqRel);
                    let started = Instant::now();
                    let notified = all_received.notified();
                    health.readiness().await;
                    notified.await;
                    total += started.elapsed();
                }
                total
            })
        });
    });
    group.finish();
}

criterion_group!(benches, metrics, subscribers);
criterion_main!(benches);
