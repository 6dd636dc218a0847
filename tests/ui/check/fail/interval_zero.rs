use health_core::prelude::*;

#[health_check(interval = "0ms")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
