use health_core::prelude::*;

struct AppState;

#[health_check]
async fn db(_state: &mut AppState) -> bool {
    todo!()
}

fn main() {}
