//! The deep endpoint: full diagnostics with credentials redacted, and never
//! public by default (404 like an unknown path without a token, 401 with a
//! wrong one). The admin listener, which only the hyper listener has, is in
//! `hyper_listener.rs`.

use health_core::prelude::*;
use hyper::{Method, StatusCode};
use serde_json::json;

use super::serve;
use crate::adapters::Adapter;
use crate::client::{get, send};

/// The bearer token the cases configure.
pub const TOKEN: &str = "f3a9c2e1d4b7a6c5e8f9a0b1c2d3e4f5";

/// A critical check failing with credentials in its error, and a passing one.
pub struct Diagnosed;

#[health_check(critical, name = "primary_db")]
async fn primary_db(_state: &Diagnosed) -> CheckOutcome {
    CheckOutcome::fail("cannot connect to postgres://app:s3cret@db:5432/app (password=hunter2 sslmode=require)")
        .with_detail("pool_size", 10u32)
        .with_detail("pool_available", 0u32)
}

#[health_check]
async fn cache(_state: &Diagnosed) -> CheckOutcome {
    CheckOutcome::pass().with_detail("hit_rate", 0.93)
}

fn leaks(body: &str) -> Vec<&'static str> {
    ["s3cret", "hunter2", "postgres://", "pool_size", "primary_db", "cache"]
        .into_iter()
        .filter(|secret| body.contains(secret))
        .collect()
}

pub async fn without_a_token_it_is_hidden_like_an_unknown_path<A: Adapter>() {
    let health = Health::builder(Diagnosed).build().unwrap();
    let addr = serve::<A>(health.http()).await;
    let deep = get(addr, "/health/deep").await;
    let unknown = get(addr, "/health/nothing").await;
    assert_eq!(deep.status, StatusCode::NOT_FOUND);
    assert_eq!(deep.body, unknown.body);
    let bearer = format!("Bearer {TOKEN}");
    let guessed = send(addr, Method::GET, "/health/deep", &[("authorization", &bearer)]).await;
    assert_eq!(
        guessed.status,
        StatusCode::NOT_FOUND,
        "no token configured: nothing opens it"
    );
}

pub async fn with_a_token_only_the_right_bearer_gets_in<A: Adapter>() {
    let health = Health::builder(Diagnosed).version("1.4.2").build().unwrap();
    let addr = serve::<A>(health.http().deep_token(TOKEN).unwrap()).await;

    let bearer = format!("Bearer {TOKEN}");
    let almost = format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]);
    for headers in [
        vec![],
        vec![("authorization", "Bearer wrong-token-0123456789")],
        vec![("authorization", almost.as_str())],
        vec![("authorization", TOKEN)],
    ] {
        let denied = send(addr, Method::GET, "/health/deep", &headers).await;
        assert_eq!(denied.status, StatusCode::UNAUTHORIZED, "{headers:?}");
        assert_eq!(denied.header("www-authenticate"), "Bearer");
        assert_eq!(denied.json(), json!({"error": "unauthorized"}));
        assert!(leaks(&denied.body).is_empty());
    }

    let deep = send(addr, Method::GET, "/health/deep", &[("authorization", &bearer)]).await;
    assert_eq!(
        deep.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "503 when not ready, same body"
    );
    let body = deep.json();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["version"], "1.4.2");
    assert!(body["uptime_seconds"].is_u64());
    assert!(body["rss_mb"].as_f64().unwrap() > 0.0);
    let db = &body["checks"]["primary_db"];
    assert_eq!(db["status"], "fail");
    assert_eq!(db["reason"], "error");
    assert_eq!(db["critical"], true);
    assert_eq!(db["consecutive_failures"], 1);
    assert_eq!(db["last_success"], json!(null));
    assert!(db["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(db["details"], json!({"pool_size": 10, "pool_available": 0}));
    assert_eq!(
        db["error"],
        "cannot connect to postgres://app:***@db:5432/app (password=*** sslmode=require)"
    );
    let cache = &body["checks"]["cache"];
    assert_eq!(cache["status"], "pass");
    assert!(cache["last_success"].as_str().unwrap().ends_with('Z'));
    assert_eq!(cache["details"]["hit_rate"], 0.93);
    assert!(
        !deep.body.contains("s3cret") && !deep.body.contains("hunter2"),
        "{}",
        deep.body
    );
}

pub async fn the_deep_report_in_health_json<A: Adapter>() {
    let health = Health::builder(Diagnosed).version("1.4.2").build().unwrap();
    let addr = serve::<A>(health.http().deep_token(TOKEN).unwrap()).await;
    let bearer = format!("Bearer {TOKEN}");
    let deep = send(
        addr,
        Method::GET,
        "/health/deep",
        &[("authorization", &bearer), ("accept", "application/health+json")],
    )
    .await;
    assert_eq!(deep.header("content-type"), "application/health+json");
    let body = deep.json();
    assert_eq!(body["status"], "fail");
    assert_eq!(body["releaseId"], "1.4.2");
    let response_time = &body["checks"]["primary_db:responseTime"][0];
    assert_eq!(response_time["status"], "fail");
    assert_eq!(response_time["observedUnit"], "ms");
    assert!(response_time["observedValue"].is_f64());
    assert!(response_time["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        response_time["output"],
        "cannot connect to postgres://app:***@db:5432/app (password=*** sslmode=require)"
    );
    assert_eq!(body["checks"]["primary_db:pool_size"][0]["observedValue"], 10);
    assert_eq!(body["checks"]["uptime"][0]["observedUnit"], "s");
    assert_eq!(body["checks"]["memory:rss"][0]["observedUnit"], "KiB");
}
