use health_core::prelude::*;

#[health_check(critical, timout = "2s")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
