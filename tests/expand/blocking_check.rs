use health_core::prelude::*;

#[derive(Clone)]
pub struct AppState {
    pub data_dir: std::path::PathBuf,
}

#[health_check(startup, liveness, blocking, timeout = "250ms", failure_threshold = 3)]
fn data_dir_readable(state: &AppState) -> std::io::Result<()> {
    std::fs::read_dir(&state.data_dir).map(|_| ())
}

fn main() {}
