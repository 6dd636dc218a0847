//! `#[derive(HealthReport)]`: one-shot collection runs the checks
//! concurrently under their deadlines; collection from a registry uses its
//! cache.

use std::time::Duration;

use health_core::prelude::*;
use serde_json::json;
use tokio::time::Instant;

use crate::Dependency;

#[derive(Default)]
struct Store {
    db: Dependency,
    cache: Dependency,
}

#[health_check(critical)]
async fn primary(state: &Store) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    state.db.call()
}

#[health_check(timeout = "300ms")]
async fn cache(state: &Store) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    state.cache.call()
}

mod search {
    use super::*;

    #[health_check(name = "search", timeout = "50ms")]
    pub async fn ping(_state: &Store) -> Result<(), String> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[derive(HealthReport)]
#[health(state = Store)]
struct StoreReadiness {
    primary: CheckResult,
    cache: CheckResult,
    #[health(check = search::ping)]
    search: CheckResult,
}

#[tokio::test(start_paused = true)]
async fn collect_runs_the_checks_concurrently_and_folds_them() {
    let store = Store::default();
    let start = Instant::now();
    let report = StoreReadiness::collect(&store).await;
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(100),
        "concurrent: the slowest check, not the sum"
    );
    assert_eq!(report.status(), Status::Degraded);
    assert!(report.primary.passed() && report.cache.passed());
    assert_eq!(report.search.reason(), Some(Reason::Timeout));
    assert_eq!(report.search.name(), "search");
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "status": "degraded",
            "critical": {"primary": {"status": "pass"}},
            "degraded": {"cache": {"status": "pass"}, "search": {"status": "fail", "reason": "timeout"}},
        })
    );

    store.db.set_down(true);
    let report = StoreReadiness::collect(&store).await;
    assert_eq!(report.status(), Status::NotReady);
    assert_eq!(report.primary.error(), Some("connection refused"));
}

#[tokio::test(start_paused = true)]
async fn collect_has_no_cache() {
    let store = Store::default();
    for _ in 0..3 {
        StoreReadiness::collect(&store).await;
    }
    assert_eq!(store.db.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_report_from_a_registry_uses_its_cache() {
    let health = Health::builder(Store::default()).build().unwrap();
    for _ in 0..10 {
        let report: StoreReadiness = health.report().await;
        assert_eq!(report.status(), Status::Degraded);
    }
    assert_eq!(health.state().db.calls(), 1, "fresh for the default 1s interval");
    health.readiness().await;
    assert_eq!(health.state().db.calls(), 1, "the probe shares the report's results");
}

#[tokio::test(start_paused = true)]
async fn a_report_from_a_registry_runs_checks_left_out_of_it() {
    let health = Health::builder(Store::default()).without("primary").build().unwrap();
    let report: StoreReadiness = health.report().await;
    assert!(report.primary.passed());
    let report: StoreReadiness = health.report().await;
    assert!(report.primary.passed());
    assert_eq!(health.state().db.calls(), 2, "not cached: it is not in the registry");
}
