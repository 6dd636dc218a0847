use health_core::prelude::*;

#[health_check(critical, liveness)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
