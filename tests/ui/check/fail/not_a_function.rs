use health_core::prelude::*;

#[health_check]
struct Db;

fn main() {}
