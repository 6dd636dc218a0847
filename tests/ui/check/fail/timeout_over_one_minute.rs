use health_core::prelude::*;

#[health_check(timeout = "2m")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
