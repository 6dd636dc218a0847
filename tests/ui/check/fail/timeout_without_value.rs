use health_core::prelude::*;

#[health_check(timeout)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
