//! Every row of the HTTP contract table (`docs/design.md`), both body
//! formats, HEAD, 405, 404, malformed requests, configurable paths and
//! `/metrics`.

use std::sync::atomic::{AtomicBool, Ordering};

use health_core::http::Paths;
use health_core::prelude::*;
use hyper::{Method, StatusCode};
use serde_json::json;

use super::deep::TOKEN;
use super::serve;
use crate::adapters::{Adapter, APP_BODY};
use crate::client::{get, raw, send};
use crate::Dependency;

#[derive(Default)]
struct Service {
    db: Dependency,
    cache: Dependency,
    warmed: AtomicBool,
    stalled: AtomicBool,
}

#[health_check(critical, interval = "1ms")]
async fn db(state: &Service) -> Result<(), String> {
    state.db.call()
}

#[health_check(interval = "1ms")]
async fn cache(state: &Service) -> Result<(), String> {
    state.cache.call()
}

#[health_check(startup, interval = "1ms")]
async fn warmup(state: &Service) -> bool {
    state.warmed.load(Ordering::SeqCst)
}

#[health_check(liveness, interval = "1ms")]
async fn event_loop(state: &Service) -> bool {
    !state.stalled.load(Ordering::SeqCst)
}

/// Lets the cached results (fresh for 1 ms) expire after a switch flipped.
async fn expire() {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

async fn started_service<A: Adapter>() -> (Health<Service>, std::net::SocketAddr) {
    let health = Health::builder(Service::default()).build().unwrap();
    health.state().warmed.store(true, Ordering::SeqCst);
    let addr = serve::<A>(health.http()).await;
    (health, addr)
}

pub async fn liveness_rows<A: Adapter>() {
    let (health, addr) = started_service::<A>().await;
    let alive = get(addr, "/health/live").await;
    assert_eq!(alive.status, StatusCode::OK);
    assert_eq!(alive.header("content-type"), "application/json");
    assert_eq!(alive.header("cache-control"), "no-store");
    assert_eq!(alive.json(), json!({"status": "alive"}));

    health.state().stalled.store(true, Ordering::SeqCst);
    expire().await;
    let dead = get(addr, "/health/live").await;
    assert_eq!(dead.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        dead.json(),
        json!({"status": "dead", "checks": {"event_loop": {"status": "fail", "reason": "error"}}})
    );
}

pub async fn readiness_rows<A: Adapter>() {
    let (health, addr) = started_service::<A>().await;
    let ready = get(addr, "/health/ready").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        ready.json(),
        json!({"status": "ready", "critical": {"db": {"status": "pass"}}, "degraded": {"cache": {"status": "pass"}}})
    );

    health.state().cache.set_down(true);

    expire().await;
    let degraded = get(addr, "/health/ready").await;
    assert_eq!(degraded.status, StatusCode::OK);
    assert_eq!(degraded.json()["status"], "degraded");
    assert_eq!(
        degraded.json()["degraded"]["cache"],
        json!({"status": "fail", "reason": "error"})
    );

    health.state().db.set_down(true);

    expire().await;
    let not_ready = get(addr, "/health/ready").await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready.json()["status"], "not_ready");
    assert_eq!(
        not_ready.json()["critical"]["db"],
        json!({"status": "fail", "reason": "error"})
    );
    assert!(
        !not_ready.body.contains("refused"),
        "public bodies carry no error text: {}",
        not_ready.body
    );

    health.begin_shutdown();
    let shutting_down = get(addr, "/health/ready").await;
    assert_eq!(shutting_down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shutting_down.json(), json!({"status": "shutting_down"}));
}

pub async fn startup_rows_and_starting_readiness<A: Adapter>() {
    let health = Health::builder(Service::default()).build().unwrap();
    let addr = serve::<A>(health.http()).await;
    let starting = get(addr, "/health/startup").await;
    assert_eq!(starting.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(starting.json()["status"], "starting");
    let ready = get(addr, "/health/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json()["status"], "starting");

    health.state().warmed.store(true, Ordering::SeqCst);
    expire().await;
    let started = get(addr, "/health/startup").await;
    assert_eq!(started.status, StatusCode::OK);
    assert_eq!(started.json(), json!({"status": "started"}));
}

pub async fn health_json_on_request<A: Adapter>() {
    let (health, addr) = started_service::<A>().await;
    let accept = [("accept", "application/health+json")];
    let ready = send(addr, Method::GET, "/health/ready", &accept).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.header("content-type"), "application/health+json");
    assert_eq!(
        ready.json(),
        json!({"status": "pass", "checks": {"cache:status": [{"status": "pass"}], "db:status": [{"status": "pass"}]}})
    );

    health.state().cache.set_down(true);

    expire().await;
    let warn = send(
        addr,
        Method::GET,
        "/health/ready",
        &[("accept", "text/html, application/health+json;q=0.9")],
    )
    .await;
    assert_eq!(warn.status, StatusCode::OK, "warn answers 200");
    assert_eq!(warn.json()["status"], "warn");
    assert_eq!(warn.json()["output"], "degraded");
    assert_eq!(
        warn.json()["checks"]["cache:status"],
        json!([{"status": "fail", "output": "error"}])
    );

    health.state().db.set_down(true);

    expire().await;
    let fail = send(addr, Method::GET, "/health/ready", &accept).await;
    assert_eq!(fail.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fail.json()["status"], "fail");

    let refused = send(
        addr,
        Method::GET,
        "/health/ready",
        &[("accept", "application/health+json;q=0")],
    )
    .await;
    assert_eq!(
        refused.header("content-type"),
        "application/json",
        "q=0 refuses the format"
    );
}

pub async fn head_is_get_without_a_body<A: Adapter>() {
    let (_health, addr) = started_service::<A>().await;
    let get = get(addr, "/health/ready").await;
    let head = send(addr, Method::HEAD, "/health/ready", &[]).await;
    assert_eq!(head.status, get.status);
    assert_eq!(head.header("content-type"), "application/json");
    assert_eq!(head.header("content-length"), get.body.len().to_string());
    assert_eq!(head.body, "");
}

pub async fn other_methods_are_405<A: Adapter>() {
    let (_health, addr) = started_service::<A>().await;
    for method in [
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ] {
        let reply = send(addr, method.clone(), "/health/live", &[]).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.header("allow"), "GET, HEAD");
    }
}

/// Paths that are not ours: our 404 on a listener of our own; the
/// application's where the probes are mounted in one (which keeps its
/// routes). The deep endpoint without a token is one of them.
pub async fn unknown_paths_are_404_and_run_nothing<A: Adapter>() {
    let (health, addr) = started_service::<A>().await;
    for path in [
        "/",
        "/health",
        "/health/ready/",
        "/health/readyz",
        "/HEALTH/READY",
        "/health/deep",
    ] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        if !A::MOUNTED {
            assert_eq!(reply.json(), json!({"error": "not found"}));
        }
    }
    if A::MOUNTED {
        assert_eq!(get(addr, "/app").await.body, APP_BODY, "the application's own route");
    }
    assert_eq!(health.state().db.calls(), 0, "nothing ran a check");
    assert_eq!(
        get(addr, "/health/ready?verbose=1").await.status,
        StatusCode::OK,
        "queries are ignored"
    );
}

pub async fn malformed_requests_get_400_and_the_server_carries_on<A: Adapter>() {
    let (_health, addr) = started_service::<A>().await;
    let garbage: [&[u8]; 4] = [
        b"\x00\xff\xfe garbage\r\n\r\n",
        b"GET /health/ready HTTP/9.9\r\n\r\n",
        b"GET /health/ready HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"GET /health/\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    ];
    for request in garbage {
        let answer = raw(addr, request).await;
        let status_line = answer.lines().next().unwrap_or_default();
        assert!(
            status_line.starts_with("HTTP/1.1 400"),
            "{:?} got {status_line:?}",
            String::from_utf8_lossy(request)
        );
    }
    assert_eq!(get(addr, "/health/live").await.status, StatusCode::OK);
}

pub async fn paths_are_configurable<A: Adapter>() {
    let health = Health::builder(Service::default()).build().unwrap();
    health.state().warmed.store(true, Ordering::SeqCst);
    let paths = Paths::default()
        .live("/livez")
        .ready("/readyz")
        .startup("/startupz")
        .deep("/debug/health")
        .metrics("/debug/metrics");
    let http = health.http().paths(paths).metrics(|| "up 1\n".into());
    let addr = serve::<A>(http.deep_token(TOKEN).unwrap()).await;
    assert_eq!(get(addr, "/livez").await.status, StatusCode::OK);
    assert_eq!(get(addr, "/readyz").await.json()["status"], "ready");
    assert_eq!(get(addr, "/startupz").await.status, StatusCode::OK);
    let bearer = format!("Bearer {TOKEN}");
    let authorized = [("authorization", bearer.as_str())];
    assert_eq!(
        send(addr, Method::GET, "/debug/metrics", &authorized).await.body,
        "up 1\n"
    );
    assert_eq!(
        send(addr, Method::GET, "/debug/health", &authorized).await.status,
        StatusCode::OK
    );
    assert_eq!(get(addr, "/health/live").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(addr, "/metrics").await.status, StatusCode::NOT_FOUND);
}

/// `/metrics` sits behind the deep endpoint's door: without an exporter,
/// or without the token, its path is an unknown one (404 whatever the
/// method); with the token it serves the exporter's text.
pub async fn metrics_are_served_only_with_an_exporter_behind_the_deep_door<A: Adapter>() {
    let health = Health::builder(Service::default()).build().unwrap();
    let without = serve::<A>(health.http().deep_token(TOKEN).unwrap()).await;
    let bearer = format!("Bearer {TOKEN}");
    let authorized = [("authorization", bearer.as_str())];
    assert_eq!(
        send(without, Method::GET, "/metrics", &authorized).await.status,
        StatusCode::NOT_FOUND
    );
    let render = || "# TYPE up gauge\nup 1\n".to_string();
    let public = serve::<A>(health.http().metrics(render)).await;
    for method in [Method::GET, Method::HEAD, Method::POST, Method::OPTIONS] {
        let reply = send(public, method.clone(), "/metrics", &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} on a public listener");
        assert!(!reply.body.contains("up 1"));
    }
    let with = serve::<A>(health.http().metrics(render).deep_token(TOKEN).unwrap()).await;
    let refused = get(with, "/metrics").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.header("www-authenticate"), "Bearer");
    let reply = send(with, Method::GET, "/metrics", &authorized).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(reply.body, "# TYPE up gauge\nup 1\n");
}
