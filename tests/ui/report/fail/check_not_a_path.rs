use health_core::prelude::*;

#[health_check]
async fn cache() -> bool {
    true
}

#[derive(HealthReport)]
struct Readiness {
    #[health(check = "cache")]
    cache: CheckResult,
}

fn main() {}
