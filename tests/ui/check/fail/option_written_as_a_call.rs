use health_core::prelude::*;

#[health_check(timeout("2s"))]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
