use health_core::prelude::*;

#[health_check(name = "primary db")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
