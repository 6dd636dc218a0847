use health_core::prelude::*;

#[health_check(failure_threshold = 2.5)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
