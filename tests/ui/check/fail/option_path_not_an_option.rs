use health_core::prelude::*;

#[health_check(health::critical)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
