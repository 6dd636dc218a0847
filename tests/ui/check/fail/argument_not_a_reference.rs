use health_core::prelude::*;

struct AppState;

#[health_check]
async fn db(state: AppState) -> bool {
    let _ = state;
    true
}

fn main() {}
