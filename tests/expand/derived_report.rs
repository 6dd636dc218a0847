use health_core::prelude::*;

pub struct AppState;

#[health_check(critical)]
async fn primary_db(_state: &AppState) -> bool {
    std::path::Path::new("/var/lib/db").exists()
}

mod search {
    use super::*;

    #[health_check(timeout = "500ms")]
    pub async fn ping(_state: &AppState) -> bool {
        std::path::Path::new("/var/lib/search").exists()
    }
}

#[derive(HealthReport)]
#[health(state = AppState)]
pub struct Readiness {
    pub primary_db: CheckResult,
    #[health(check = search::ping)]
    pub search: CheckResult,
}

fn main() {}
