use health_core::prelude::*;

#[health_check(timeout = "0s")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
