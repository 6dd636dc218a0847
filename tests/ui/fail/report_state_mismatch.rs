use health_core::prelude::*;

struct AppState;
struct OtherState;

#[health_check]
async fn cache(_state: &OtherState) -> bool {
    true
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    cache: CheckResult,
}

fn main() {}
