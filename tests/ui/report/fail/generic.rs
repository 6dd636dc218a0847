use health_core::prelude::*;

#[health_check]
async fn cache() -> bool {
    todo!()
}

#[derive(HealthReport)]
struct Readiness<T> {
    cache: CheckResult,
    extra: T,
}

fn main() {}
