use health_core::prelude::*;

#[health_check(failure_threshold = 0)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
