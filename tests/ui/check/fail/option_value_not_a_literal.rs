use health_core::prelude::*;

const DEADLINE: &str = "2s";

#[health_check(timeout = DEADLINE)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
