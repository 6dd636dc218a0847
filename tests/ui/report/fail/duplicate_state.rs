use health_core::prelude::*;

struct AppState;

#[health_check]
async fn cache(_state: &AppState) -> bool {
    todo!()
}

#[derive(HealthReport)]
#[health(state = AppState)]
#[health(state = AppState)]
struct Readiness {
    cache: CheckResult,
}

fn main() {}
