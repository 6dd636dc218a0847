use health_core::prelude::*;

#[health_check]
async fn queue_depth() -> u32 {
    42
}

fn main() {}
