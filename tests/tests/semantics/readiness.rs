//! Critical failures make readiness `not_ready` (503), others `degraded`
//! (200); liveness ignores readiness checks.

use health_core::prelude::*;
use serde_json::json;

use crate::Dependency;

#[derive(Default)]
struct Deps {
    db: Dependency,
    cache: Dependency,
}

#[health_check(critical)]
async fn db(deps: &Deps) -> Result<(), String> {
    deps.db.call()
}

#[health_check]
async fn cache(deps: &Deps) -> Result<(), String> {
    deps.cache.call()
}

#[tokio::test(start_paused = true)]
async fn all_passing_is_ready() {
    let health = Health::builder(Deps::default()).build().unwrap();
    let ready = health.readiness().await;
    assert_eq!((ready.status(), ready.http_status()), (Status::Ready, 200));
    assert_eq!(
        serde_json::to_value(&ready).unwrap(),
        json!({"status": "ready", "critical": {"db": {"status": "pass"}}, "degraded": {"cache": {"status": "pass"}}})
    );
}

#[tokio::test(start_paused = true)]
async fn a_non_critical_failure_degrades_with_200() {
    let health = Health::builder(Deps::default()).build().unwrap();
    health.state().cache.set_down(true);
    let ready = health.readiness().await;
    assert_eq!((ready.status(), ready.http_status()), (Status::Degraded, 200));
    assert_eq!(
        serde_json::to_value(&ready).unwrap()["degraded"]["cache"],
        json!({"status": "fail", "reason": "error"})
    );
}

#[tokio::test(start_paused = true)]
async fn a_critical_failure_is_not_ready_with_503() {
    let health = Health::builder(Deps::default()).build().unwrap();
    health.state().db.set_down(true);
    health.state().cache.set_down(true);
    let ready = health.readiness().await;
    assert_eq!((ready.status(), ready.http_status()), (Status::NotReady, 503));
    let db = ready.check("db").unwrap();
    assert_eq!(db.reason(), Some(Reason::Error));
    assert_eq!(db.error(), Some("connection refused"));
}

#[tokio::test(start_paused = true)]
async fn the_public_body_carries_no_error_text() {
    let health = Health::builder(Deps::default()).build().unwrap();
    health.state().db.set_down(true);
    let body = serde_json::to_string(&health.readiness().await).unwrap();
    assert!(!body.contains("refused"), "{body}");
}

#[tokio::test(start_paused = true)]
async fn dependency_failures_never_touch_liveness() {
    let health = Health::builder(Deps::default()).build().unwrap();
    health.state().db.set_down(true);
    let live = health.liveness().await;
    assert_eq!((live.status(), live.http_status()), (Status::Alive, 200));
    assert_eq!(serde_json::to_value(&live).unwrap(), json!({"status": "alive"}));
    assert_eq!(health.state().db.calls(), 0, "liveness must not call readiness checks");
}
