use health_core::prelude::*;

#[health_check(liveness)]
async fn event_loop() -> bool {
    true
}

#[health_check]
async fn db() -> Result<(), String> {
    Ok(())
}

#[health_check]
async fn cache() -> Result<u32, String> {
    return Ok::<u32, String>(1);
}

#[health_check]
async fn queue() -> CheckOutcome {
    health_core::CheckOutcome::pass()
}

/// Not constant: a value built from something that can fail is accepted.
#[health_check]
async fn disk() -> bool {
    std::path::Path::new("/").exists()
}

fn main() {}
