//! Two checks whose functions share their last path segment are two checks:
//! identity is the whole path, and distinct names keep the JSON keys apart.

use health_core::prelude::*;

/// A dependency call: whether the working directory can be read.
fn reachable() -> bool {
    std::env::current_dir().is_ok()
}

pub struct AppState;

mod db {
    #[health_core::health_check(critical, name = "db")]
    pub async fn ping(_state: &super::AppState) -> bool {
        crate::reachable()
    }
}

mod cache {
    #[health_core::health_check(name = "cache")]
    pub async fn ping(_state: &super::AppState) -> bool {
        false
    }
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    #[health(check = db::ping)]
    db: CheckResult,
    #[health(check = cache::ping)]
    cache: CheckResult,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let report = Readiness::collect(&AppState).await;
    assert_eq!(report.status(), Status::Degraded);
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"status":"degraded","critical":{"db":{"status":"pass"}},"degraded":{"cache":{"status":"fail","reason":"error"}}}"#
    );
}
