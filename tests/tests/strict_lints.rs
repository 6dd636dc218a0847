//! The macros' output passes the strictest lints a service crate sets: it
//! carries the hygiene of the user's own code (so that rustc keeps it cached
//! across edits), which makes it subject to the lints that code is. This
//! crate forbids unsafe code and denies rustc's opt-in lints and clippy's
//! pedantic and nursery groups; the workspace's clippy run and every build
//! of it fail on any lint the expansions trip. The tests show that checks
//! declared here still register and run.
#![forbid(unsafe_code)]
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused_qualifications,
    rust_2018_idioms,
    unused_results,
    single_use_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    let_underscore_drop,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]

use health_core::prelude::*;

/// The state the checks run on.
#[derive(Debug, Clone, Default)]
pub struct AppState {
    /// Whether the database answers.
    pub database_up: bool,
}

/// A critical readiness check with every option that takes a value.
///
/// # Errors
/// When the database is down.
#[health_check(
    critical,
    timeout = "100ms",
    interval = "1m 30s",
    failure_threshold = 2,
    success_threshold = 1
)]
pub async fn database(state: &AppState) -> Result<(), String> {
    tokio::task::yield_now().await;
    if state.database_up {
        Ok(())
    } else {
        Err("database down".to_owned())
    }
}

/// A stateless liveness and start-up check with its own name.
#[health_check(liveness, startup, name = "heart-beat")]
pub async fn heartbeat() -> bool {
    tokio::task::yield_now().await;
    tests::reachable()
}

/// A blocking check.
///
/// # Errors
/// When the file system root cannot be read.
#[health_check(blocking, timeout = "2s")]
pub fn disk(state: &AppState) -> Result<(), std::io::Error> {
    let _ = state.database_up;
    std::fs::metadata("/").map(|_| ())
}

/// A derived report over all three.
#[derive(HealthReport, Debug)]
#[health(state = AppState)]
pub struct Readiness {
    /// The database.
    pub database: CheckResult,
    /// The disk.
    pub disk: CheckResult,
    /// The heartbeat, under its own name.
    #[health(check = heartbeat)]
    pub beat: CheckResult,
}

#[test]
fn checks_declared_under_strict_lints_register() {
    let health = Health::builder(AppState::default()).build().unwrap();
    let mut names: Vec<String> = health.checks().map(|check| check.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["database", "disk", "heart-beat"]);
}

#[tokio::test]
async fn the_report_runs_them() {
    let health = Health::builder(AppState::default()).build().unwrap();
    let report: Readiness = health.report().await;
    assert_eq!(report.database.error(), Some("database down"));
    assert!(report.disk.passed(), "{:?}", report.disk.error());
    assert!(report.beat.passed());
    assert_eq!(report.beat.name(), "heart-beat");
}
