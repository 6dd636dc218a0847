//! SIGTERM starts the shutdown sequence of a standalone listener: readiness
//! 503 `shutting_down`, liveness 200 while draining, then the listener stops.
//! A binary of its own: the signal goes to the whole test process.

use std::time::Duration;

use health_core::prelude::*;
use serde_json::json;

#[path = "http/client.rs"]
#[allow(dead_code)]
mod client;

struct Terminated;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_then_stops() {
    let health = Health::builder(Terminated).build().unwrap();
    // The signal handlers are registered by `bind`, before any signal is sent.
    let server = health
        .http()
        .drain_delay(Duration::from_millis(500))
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = server.local_addr();
    let running = tokio::spawn(server.run());
    assert_eq!(client::get(addr, "/health/ready").await.json()["status"], "ready");

    let sent = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());

    health.shutdown_begun().await;
    let ready = client::get(addr, "/health/ready").await;
    assert_eq!(
        (ready.status.as_u16(), ready.json()),
        (503, json!({"status": "shutting_down"}))
    );
    assert_eq!(client::get(addr, "/health/live").await.status.as_u16(), 200);
    running.await.unwrap().unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped after the drain"
    );
}
