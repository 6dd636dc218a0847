//! Checks without a state argument join every registry, whatever its state
//! type (a binary of their own, so they stay out of the other tests).

use health_core::prelude::*;

struct Api;
struct Worker;

#[health_check(liveness, timeout = "100ms")]
async fn runtime_responsive() -> bool {
    tests::reachable()
}

#[health_check(critical)]
async fn api_db(_state: &Api) -> bool {
    tests::reachable()
}

#[test]
fn stateless_checks_join_every_registry() {
    let api = Health::builder(Api).build().unwrap();
    let worker = Health::builder(Worker).build().unwrap();
    let api_checks: Vec<_> = api.checks().map(|c| c.name.to_string()).collect();
    let worker_checks: Vec<_> = worker.checks().map(|c| c.name.to_string()).collect();
    assert_eq!(api_checks, ["api_db", "runtime_responsive"]);
    assert_eq!(worker_checks, ["runtime_responsive"]);
}

#[test]
fn without_leaves_one_out() {
    let worker = Health::builder(Worker).without("runtime_responsive").build().unwrap();
    assert_eq!(worker.checks().count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_registry_without_checks_is_alive_ready_and_started() {
    let worker = Health::builder(Worker).without("runtime_responsive").build().unwrap();
    assert_eq!(worker.liveness().await.status(), Status::Alive);
    assert_eq!(worker.readiness().await.status(), Status::Ready);
    assert_eq!(worker.startup().await.status(), Status::Started);
}
