use health_core::prelude::*;

pub struct AppState {
    pub db_up: bool,
}

#[health_check(critical, timeout = "2s")]
async fn primary_db(state: &AppState) -> Result<(), String> {
    state.db_up.then_some(()).ok_or_else(|| "connection refused".to_string())
}

fn main() {}
