use health_core::prelude::*;

#[health_check]
async fn db(_state: &u8, ...) -> bool {
    todo!()
}

fn main() {}
