use health_core::prelude::*;

#[health_check(nmae = "db")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
