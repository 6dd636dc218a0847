use health_core::prelude::*;

struct Pool;

impl Pool {
    #[health_check]
    async fn ping(&self) -> bool {
        todo!()
    }
}

fn main() {}
