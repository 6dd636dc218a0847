//! Reports: named after checks, pointing at checks by path, with or without state.

use health_core::prelude::*;

/// A dependency call: whether the working directory can be read.
fn reachable() -> bool {
    std::env::current_dir().is_ok()
}

pub struct AppState;

#[health_check(critical)]
async fn primary_db(_state: &AppState) -> bool {
    crate::reachable()
}

#[health_check]
async fn stateless_cache() -> bool {
    false
}

pub mod search {
    use health_core::prelude::*;

    #[health_check(timeout = "100ms")]
    pub async fn ping(_state: &super::AppState) -> bool {
        crate::reachable()
    }
}

#[derive(HealthReport)]
#[health(state = AppState)]
pub struct Readiness {
    pub primary_db: CheckResult,
    pub stateless_cache: CheckResult,
    #[health(check = crate::search::ping)]
    pub search: CheckResult,
}

/// Without `state`, the report runs on `()`.
#[derive(HealthReport)]
struct CacheOnly {
    stateless_cache: health_core::CheckResult,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let report = Readiness::collect(&AppState).await;
    assert_eq!(report.status(), Status::Degraded);
    assert_eq!(report.results().count(), 3);
    let cache_only = CacheOnly::collect(&()).await;
    assert_eq!(cache_only.status(), Status::Degraded);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.starts_with(r#"{"status":"degraded""#), "{json}");
}
