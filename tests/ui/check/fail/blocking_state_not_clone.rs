use health_core::prelude::*;

struct AppState {
    data_dir: std::path::PathBuf,
}

#[health_check(blocking)]
fn disk(state: &AppState) -> std::io::Result<()> {
    std::fs::metadata(&state.data_dir).map(|_| ())
}

fn main() {}
