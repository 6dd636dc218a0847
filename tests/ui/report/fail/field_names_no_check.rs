use health_core::prelude::*;

struct AppState;

#[health_check(critical)]
async fn primary_db(_state: &AppState) -> bool {
    todo!()
}

async fn auth_service(_state: &AppState) -> bool {
    true
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    primary_db: CheckResult,
    auth_service: CheckResult,
}

fn main() {}
