use health_core::prelude::*;

#[health_check]
async unsafe fn db() -> bool {
    todo!()
}

fn main() {}
