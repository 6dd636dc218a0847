use health_core::prelude::*;

#[health_check]
async fn db(_state: &impl Sync) -> bool {
    true
}

fn main() {}
