//! Criterion benchmarks of `health_core::redact` (BENCHMARKS.md, section 9):
//!
//! - `typical`: a driver's error text with a DSN, a URL and a `Debug`
//!   config in it (about 1 KiB), per KiB.
//! - `adversarial/<shape>/<size>`: 1 KiB to 1 MiB of text made to hurt a
//!   scanner (many keys, no whitespace; an unclosed quote; URL fragments
//!   without an `@`). Linear time shows as a flat time per byte
//!   (`Throughput::Bytes`) from 1 KiB to 1 MiB.
//! - `baseline/<size>`: `str::contains` of a key over the same text, the
//!   cheapest full pass, measured in the same run.
//!
//! Run with `cargo bench -p health-core --bench redact`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use health_core::redact::redact;

/// An error text as drivers print them, with secrets in three shapes.
const TYPICAL: &str = concat!(
    "error communicating with database: connection to postgres://app:s3cret@db.internal:5432/orders failed; ",
    "PgConnectOptions { host: \"db.internal\", port: 5432, socket: None, username: \"app\", ",
    "password: Some(\"s3cret\"), database: Some(\"orders\"), ssl_mode: Prefer, ssl_root_cert: None, ",
    "statement_cache_capacity: 100, application_name: None, log_settings: LogSettings { statements_level: Debug, ",
    "slow_statements_level: Warn, slow_statements_duration: 1s }, extra_float_digits: Some(\"2\"), options: None } ",
    "while running SELECT 1 (attempt 3 of 3, backoff 250ms): I/O error: connection reset by peer (os error 104); ",
    "retrying with host=db-replica.internal port=5432 user=app password=s3cret sslmode=require connect_timeout=2 ",
    "and Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\n",
    "upstream said: {\"error\": \"unavailable\", \"detail\": \"pool exhausted after 30s\", \"retry_after\": 5}\n",
);

/// `unit` repeated to `len` bytes.
fn repeated(unit: &str, len: usize) -> String {
    unit.repeat(len / unit.len() + 1)[..len].to_owned()
}

fn typical(c: &mut Criterion) {
    let mut group = c.benchmark_group("typical");
    group.throughput(Throughput::Bytes(TYPICAL.len() as u64));
    group.bench_function("redact", |b| b.iter(|| black_box(redact(black_box(TYPICAL)))));
    group.finish();
}

fn adversarial(c: &mut Criterion) {
    const SHAPES: [(&str, &str); 5] = [
        ("password_x_semicolon", "password=x;"),
        ("token_a_comma", "token=a,"),
        ("url_without_at", "a://b:c/"),
        ("key_colon_space", "secret: a b "),
        ("unclosed_quote", "x\"password\":\"\\\"x"),
    ];
    let mut group = c.benchmark_group("adversarial");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for (name, unit) in SHAPES {
        for size in [1 << 10, 1 << 14, 1 << 17, 1 << 20] {
            let text = repeated(unit, size);
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new(name, size), &text, |b, text| {
                b.iter(|| black_box(redact(black_box(text))))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("baseline");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for size in [1 << 10, 1 << 20] {
        let text = repeated("password=x;", size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("contains", size), &text, |b, text| {
            b.iter(|| black_box(black_box(text).contains("no-such-key=")))
        });
    }
    group.finish();
}

criterion_group!(benches, typical, adversarial);
criterion_main!(benches);
