use health_core::prelude::*;

#[health_check(critcal, timeout = "0s", interval = "soon")]
fn db() {}

fn main() {}
