//! The smallest service-shaped use of health-core: three checks, a derived
//! report, and the answers of the probes printed as their HTTP bodies.
//!
//! Run it with `cargo run -p examples --example quickstart`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use health_core::prelude::*;

/// What the checks look at; in a real service, pools and clients.
struct AppState {
    database_up: AtomicBool,
    cache_up: AtomicBool,
}

/// Critical: without its database the service cannot serve (503 `not_ready`).
#[health_check(critical, timeout = "2s", interval = "1s")]
async fn primary_db(state: &AppState) -> Result<(), CheckError> {
    tokio::time::sleep(Duration::from_millis(5)).await; // a round trip
    match state.database_up.load(Ordering::Relaxed) {
        true => Ok(()),
        false => Err(CheckError::new(
            "connection refused (postgres://app:s3cret@db:5432/app)",
        )),
    }
}

/// Not critical: without its cache the service is slower (200 `degraded`).
#[health_check(timeout = "500ms", interval = "1s")]
async fn cache(state: &AppState) -> bool {
    state.cache_up.load(Ordering::Relaxed)
}

/// Liveness: would catch a stalled runtime; never a dependency.
#[health_check(liveness, timeout = "100ms")]
async fn event_loop() -> bool {
    tokio::task::yield_now().await;
    true
}

/// A typed report over the readiness checks.
#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    primary_db: CheckResult,
    cache: CheckResult,
}

async fn print_probes(health: &Health<AppState>, situation: &str) {
    println!("--- {situation}");
    for probe in Probe::ALL {
        let report = health.probe(probe).await;
        let body = serde_json::to_string(&report).expect("reports serialize");
        println!("{:<9} {} {body}", probe.as_str(), report.http_status());
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState {
        database_up: AtomicBool::new(true),
        cache_up: AtomicBool::new(true),
    };
    let health = Health::builder(state).version(env!("CARGO_PKG_VERSION")).build()?;
    print_probes(&health, "everything up").await;

    health.state().cache_up.store(false, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(1100)).await; // let the cached results expire
    print_probes(&health, "cache down: degraded, still serving").await;

    health.state().database_up.store(false, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    print_probes(&health, "database down: not ready, but alive").await;

    let report: Readiness = health.report().await;
    println!("--- derived report: {}", serde_json::to_string(&report)?);
    println!(
        "--- deep diagnostics (admin only): {}",
        serde_json::to_string_pretty(&health.deep().await)?
    );

    health.begin_shutdown();
    print_probes(&health, "shutting down: drain, don't restart").await;
    Ok(())
}
