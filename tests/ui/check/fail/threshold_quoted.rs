use health_core::prelude::*;

#[health_check(success_threshold = "2")]
async fn db() -> Result<(), String> {
    todo!()
}

fn main() {}
