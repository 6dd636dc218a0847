use health_core::prelude::*;

struct AppState;

mod search {
    #[health_core::health_check]
    pub async fn ping(_state: &super::AppState) -> bool {
        todo!()
    }
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    #[health(check = search::ping)]
    search: CheckResult,
    #[health(check = search::ping)]
    search_again: CheckResult,
}

fn main() {}
