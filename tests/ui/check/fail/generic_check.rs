use health_core::prelude::*;

#[health_check]
async fn db<S: Sync>(_state: &S) -> bool {
    todo!()
}

fn main() {}
