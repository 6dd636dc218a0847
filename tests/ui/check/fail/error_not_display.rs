use health_core::prelude::*;

#[derive(Debug)]
struct DbError;

#[health_check]
async fn db() -> Result<(), DbError> {
    Err(DbError)
}

fn main() {}
