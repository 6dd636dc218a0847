use health_core::prelude::*;

struct AppState;

#[health_check(critical)]
async fn db(_state: &AppState) -> bool {
    todo!()
}

mod replica {
    // Another function, the same report name: the JSON would say "db" twice.
    #[health_core::health_check(name = "db")]
    pub async fn primary(_state: &super::AppState) -> bool {
        todo!()
    }
}

#[derive(HealthReport)]
#[health(state = AppState)]
struct Readiness {
    db: CheckResult,
    #[health(check = replica::primary)]
    replica: CheckResult,
}

fn main() {}
