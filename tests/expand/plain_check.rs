use health_core::prelude::*;

#[health_check]
async fn cache() -> Result<(), std::io::Error> {
    std::fs::metadata("/var/cache").map(|_| ())
}

fn main() {}
