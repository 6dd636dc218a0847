use health_core::prelude::*;

#[derive(HealthReport)]
union Readiness {
    db: std::mem::ManuallyDrop<CheckResult>,
}

fn main() {}
