use health_core::prelude::*;

// The body is not parsed by the macro: its syntax error is rustc's, at the
// body, and the attribute adds none of its own.
#[health_check]
async fn db() -> Result<(), String> {
    let pending = ;
    Ok(())
}

fn main() {}
