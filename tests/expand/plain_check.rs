use health_core::prelude::*;

#[health_check]
async fn cache() -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {}
