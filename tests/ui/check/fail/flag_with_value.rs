use health_core::prelude::*;

#[health_check(critical = true)]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
