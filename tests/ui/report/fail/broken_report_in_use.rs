use health_core::prelude::*;

struct AppState;

#[health_check]
async fn cache(_state: &AppState) -> bool {
    todo!()
}

// One mistake in the report: one error, none where the report is used.
#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    cache: bool,
}

#[tokio::main]
async fn main() {
    let report = Readiness::collect(&AppState).await;
    assert_eq!(report.status(), Status::Ready);
    let _ = serde_json::to_string(&report);
}
