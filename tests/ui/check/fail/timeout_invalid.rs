use health_core::prelude::*;

#[health_check(timeout = "2 seconds and a bit")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
