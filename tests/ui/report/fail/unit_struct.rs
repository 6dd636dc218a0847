use health_core::prelude::*;

#[derive(HealthReport)]
struct Readiness;

fn main() {}
