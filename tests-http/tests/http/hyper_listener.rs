//! What only the standalone hyper listener has: the admin listener, which
//! serves the deep endpoint without a token and binds to loopback only.

use health_core::prelude::*;
use hyper::StatusCode;

use crate::client::get;
use crate::contract::deep::Diagnosed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_listener_on_loopback_serves_it_openly() {
    let health = Health::builder(Diagnosed).build().unwrap();
    let admin = health
        .http()
        .handle_signals(false)
        .bind_admin(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = admin.local_addr();
    tokio::spawn(admin.run());
    let deep = get(addr, "/health/deep").await;
    assert_eq!(deep.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(deep.json()["checks"]["primary_db"]["details"]["pool_size"], 10);
    assert_eq!(get(addr, "/health/live").await.status, StatusCode::OK, "the probes too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_listener_refuses_public_addresses() {
    let health = Health::builder(Diagnosed).build().unwrap();
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let refused = health.http().bind_admin(addr.parse().unwrap()).await.expect_err(addr);
        assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
        assert!(refused.to_string().contains("loopback"), "{refused}");
    }
}

#[test]
fn short_tokens_are_refused() {
    let health = Health::builder(Diagnosed).build().unwrap();
    let refused = health.http().deep_token("admin").err().unwrap();
    assert!(refused.to_string().contains("at least 16"), "{refused}");
}
