use health_core::prelude::*;

#[health_check]
async fn db(_state: &impl Sync) -> bool {
    todo!()
}

fn main() {}
