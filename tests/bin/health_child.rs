//! A health server in a process of its own, for the tests that need one:
//! signals are per process (tests/tests/signals.rs), and so is resident
//! memory (tests/tests/grpc_flood.rs).
//!
//! Serves gRPC and HTTP (hyper listener) on free loopback ports with the
//! default limits, prints `grpc=<addr>`, `http=<addr>` and `ready`, then runs
//! until shutdown and prints `stopped`. Flags:
//!
//! - `--drain-ms=N`: the drain delay (default 60 s: a drain that outlasts the test);
//! - `--no-signals`: `handle_signals(false)`, and a SIGTERM handler of the
//!   application's own that prints `application got SIGTERM`;
//! - `--dropped`: every entry point is polled once, then dropped, before
//!   `ready`; the process then idles;
//! - `--begin-shutdown`: the application begins shutdown itself right
//!   after `ready`.

use std::time::Duration;

use health_core::prelude::*;
use tokio::signal::unix::{signal, SignalKind};

/// Something to be ready on: the working directory can be read.
#[health_check(critical)]
async fn always() -> Result<(), String> {
    tests::reached()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|arg| arg == name);
    let drain = args
        .iter()
        .find_map(|arg| arg.strip_prefix("--drain-ms="))
        .map_or(Duration::from_secs(60), |ms| {
            Duration::from_millis(ms.parse().expect("--drain-ms=N"))
        });
    let health = Health::builder(())
        .background()
        .handle_signals(!flag("--no-signals"))
        .build()
        .expect("valid checks");
    let loopback = ([127, 0, 0, 1], 0).into();
    let grpc = health
        .grpc()
        .drain_delay(drain)
        .bind(loopback)
        .await
        .expect("bind gRPC");
    let http = health
        .http()
        .drain_delay(drain)
        .bind(loopback)
        .await
        .expect("bind HTTP");
    println!("grpc={}", grpc.local_addr());
    println!("http={}", http.local_addr());
    if flag("--dropped") {
        let everything = async { tokio::join!(grpc.run(), http.run(), health.shutdown_signal(drain)) };
        let dropped = tokio::time::timeout(Duration::from_millis(200), everything).await;
        assert!(dropped.is_err(), "nothing began shutdown");
        println!("ready");
        return std::future::pending().await;
    }
    if flag("--no-signals") {
        let mut terminate = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::spawn(async move {
            while terminate.recv().await.is_some() {
                println!("application got SIGTERM");
            }
        });
    }
    println!("ready");
    if flag("--begin-shutdown") {
        health.begin_shutdown();
    }
    let (grpc, http, ()) = tokio::join!(grpc.run(), http.run(), health.shutdown_signal(drain));
    grpc.expect("gRPC served");
    http.expect("HTTP served");
    println!("stopped");
}
