use health_core::prelude::*;
use std::convert::Infallible;

#[health_check]
async fn db() -> Result<(), Infallible> {
    todo!()
}

fn main() {}
