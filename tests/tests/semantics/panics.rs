//! A panicking check fails with reason `panicked`; the other checks and the
//! process carry on.

use health_core::prelude::*;

struct Fragile;

#[health_check]
async fn explodes(_state: &Fragile) -> Result<(), String> {
    panic!("index out of bounds");
}

#[health_check(critical)]
async fn steady(_state: &Fragile) -> Result<(), String> {
    tests::reached()
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_a_failure_and_the_rest_carries_on() {
    let health = Health::builder(Fragile).build().unwrap();
    for _ in 0..3 {
        let ready = health.readiness().await;
        assert_eq!(ready.status(), Status::Degraded);
        let exploded = ready.check("explodes").unwrap();
        assert_eq!(exploded.reason(), Some(Reason::Panicked));
        assert_eq!(exploded.error(), Some("panicked: index out of bounds"));
        assert!(ready.check("steady").unwrap().passed());
        tokio::time::advance(std::time::Duration::from_secs(2)).await;
    }
}
