use health_core::prelude::*;

#[derive(HealthReport)]
struct Readiness(CheckResult);

fn main() {}
