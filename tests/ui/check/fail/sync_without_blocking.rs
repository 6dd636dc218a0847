use health_core::prelude::*;

#[health_check]
fn disk() -> std::io::Result<()> {
    todo!()
}

fn main() {}
