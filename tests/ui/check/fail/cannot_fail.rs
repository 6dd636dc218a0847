use health_core::prelude::*;

#[health_check]
async fn db() {}

fn main() {}
