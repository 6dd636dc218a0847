use health_core::prelude::*;

struct AppState;
struct Pool;

#[health_check]
async fn db(_state: &AppState, _pool: &Pool) -> bool {
    todo!()
}

fn main() {}
