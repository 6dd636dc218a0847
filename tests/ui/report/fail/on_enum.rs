use health_core::prelude::*;

#[derive(HealthReport)]
enum Readiness {
    Db(CheckResult),
}

fn main() {}
