use health_core::prelude::*;

#[derive(HealthReport)]
struct Readiness {
    missing_check: CheckResult,
}

fn main() {}
