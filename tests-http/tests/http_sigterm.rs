//! SIGTERM starts the shutdown sequence of every adapter: readiness 503
//! `shutting_down`, liveness 200 while draining, then the listener stops.
//! A binary of its own, since the signal goes to the whole test process;
//! the adapters of `http/adapters.rs` take it one after the other, each
//! with the library's own signal handling (actix-web's is disabled).

use std::time::Duration;

use health_core::prelude::*;
use serde_json::json;

#[path = "http/adapters.rs"]
#[allow(dead_code)] // what only the contract suite reads (`MOUNTED`, ...)
mod adapters;
#[path = "http/client.rs"]
#[allow(dead_code)]
mod client;

use adapters::{adapters, Adapter};

struct Terminated;

async fn sigterm_drains_then_stops<A: Adapter>(adapter: &str) {
    let health = Health::builder(Terminated).build().unwrap();
    // Every adapter registers its signal handlers when it starts serving,
    // before any signal is sent.
    let served = A::serve(health.http(), Duration::from_millis(500)).await;
    let addr = served.addr;
    assert_eq!(
        client::get(addr, "/health/ready").await.json()["status"],
        "ready",
        "{adapter}"
    );

    let sent = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());

    health.shutdown_begun().await;
    let ready = client::get(addr, "/health/ready").await;
    assert_eq!(
        (ready.status.as_u16(), ready.json()),
        (503, json!({"status": "shutting_down"})),
        "{adapter}"
    );
    assert_eq!(
        client::get(addr, "/health/live").await.status.as_u16(),
        200,
        "{adapter}"
    );
    served.stopped.await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "{adapter}: stopped after the drain"
    );
}

/// One test taking the adapters in turn: a signal reaches every handler
/// registered in the process.
macro_rules! in_turn {
    ($($name:ident => $adapter:ident),* $(,)?) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sigterm_drains_then_stops_every_adapter() {
            $(sigterm_drains_then_stops::<adapters::$adapter>(stringify!($name)).await;)*
        }
    };
}

adapters!(in_turn);
