use health_core::prelude::*;

#[health_check(liveness, liveness)]
async fn heartbeat() -> bool {
    todo!()
}

fn main() {}
