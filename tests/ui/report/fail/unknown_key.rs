use health_core::prelude::*;

struct AppState;

#[health_check]
async fn cache(_state: &AppState) -> bool {
    todo!()
}

#[derive(HealthReport)]
#[health(sate = AppState)]
struct Readiness {
    #[health(chek = cache)]
    cache: CheckResult,
}

fn main() {}
