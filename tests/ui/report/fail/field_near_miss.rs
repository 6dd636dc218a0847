use health_core::prelude::*;

struct AppState;

#[health_check]
async fn search_index(_state: &AppState) -> bool {
    todo!()
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    search_idnex: CheckResult,
}

fn main() {}
