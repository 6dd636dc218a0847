use health_core::prelude::*;

#[health_check(retries = 3)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
