use health_core::prelude::*;

#[health_check(blocking)]
async fn disk() -> std::io::Result<()> {
    todo!()
}

fn main() {}
