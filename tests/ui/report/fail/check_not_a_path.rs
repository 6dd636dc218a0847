use health_core::prelude::*;

#[health_check]
async fn cache() -> bool {
    todo!()
}

#[derive(HealthReport)]
struct Readiness {
    #[health(check = "cache")]
    cache: CheckResult,
}

fn main() {}
