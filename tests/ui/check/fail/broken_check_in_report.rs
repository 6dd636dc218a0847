use health_core::prelude::*;

struct AppState;

// One mistake in the attribute: one error, not another at the report.
#[health_check(critical, timout = "2s")]
async fn db(_state: &AppState) -> Result<(), String> {
    todo!()
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    db: CheckResult,
}

#[tokio::main]
async fn main() {
    let report = Readiness::collect(&AppState).await;
    let _ = report.status();
}
