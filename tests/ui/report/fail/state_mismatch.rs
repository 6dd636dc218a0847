use health_core::prelude::*;

struct AppState;
struct OtherState;

#[health_check(critical)]
async fn db(_state: &AppState) -> bool {
    todo!()
}

#[health_check]
async fn cache(_state: &OtherState) -> bool {
    todo!()
}

// One mistake, one error: at the field, not again at the derive.
#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    db: CheckResult,
    cache: CheckResult,
}

fn main() {}
