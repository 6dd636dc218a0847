//! Load never reads as death (`docs/design.md`, "Staleness under load"):
//! the demo with both cores saturated by busy threads and a burst of
//! 10 000 connections, each sending a request at once. Liveness keeps
//! answering 200 `alive` and readiness never reads a background result as
//! `stale`; it may change only as the design says it may (a check that
//! misses its deadline fails with `timeout`).
//!
//! HTTP load, not gRPC streams: the gRPC listener's limits are another
//! part of the work; an HTTP burst stalls the runtime just the same.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

mod support;

use support::*;

/// Connections of the burst.
const BURST: usize = 10_000;
/// How many of them connect at once.
const CONCURRENT: usize = 512;
/// How long a probe may take before it counts as locked out.
const PROBE_BOUND: Duration = Duration::from_secs(10);

/// Threads spinning on every core until dropped.
struct Saturated {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Saturated {
    fn every_core() -> Saturated {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores * 2)
            .map(|_| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                    }
                })
            })
            .collect();
        Saturated { stop, threads }
    }
}

impl Drop for Saturated {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// One request on its own connection, read to the end; `None` if refused.
async fn request(port: u16, path: &str) -> Option<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    let mut sink = Vec::new();
    stream.read_to_end(&mut sink).await.ok()?;
    Some(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_demo_stays_alive_and_never_reads_load_as_stale() {
    let demo = Demo::start(&[]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;
    let port = demo.port;

    let probing = Arc::new(AtomicBool::new(true));
    let monitor = tokio::spawn({
        let probing = Arc::clone(&probing);
        async move {
            let mut answers = Vec::new();
            while probing.load(Ordering::Relaxed) {
                for path in ["/health/live", "/health/ready"] {
                    let reply = tokio::time::timeout(PROBE_BOUND, get(port, path, &[]))
                        .await
                        .unwrap_or_else(|_| panic!("{path} did not answer within {PROBE_BOUND:?}"));
                    answers.push((path, reply));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answers
        }
    });

    let saturated = Saturated::every_core();
    let began = Instant::now();
    let mut burst = JoinSet::new();
    let mut served = 0;
    for n in 0..BURST {
        if burst.len() >= CONCURRENT {
            served += usize::from(matches!(burst.join_next().await, Some(Ok(Some(())))));
        }
        let path = if n % 2 == 0 { "/health/ready" } else { "/orders" };
        burst.spawn(request(port, path));
    }
    while let Some(done) = burst.join_next().await {
        served += usize::from(matches!(done, Ok(Some(()))));
    }
    let burst_took = began.elapsed();
    // Saturated a few seconds past the burst: the schedulers catch up.
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(saturated);
    probing.store(false, Ordering::Relaxed);
    let answers = monitor.await.unwrap();

    let summary = format!(
        "{served}/{BURST} burst requests served in {burst_took:?}, {} probes",
        answers.len()
    );
    eprintln!("{summary}");
    assert!(answers.len() >= 10, "{summary}");
    for (path, reply) in &answers {
        if *path == "/health/live" {
            assert_eq!(
                (reply.status, reply.json()["status"].as_str()),
                (200, Some("alive")),
                "{summary}: {reply:?}"
            );
        } else {
            assert!(
                !reply.body.contains("stale"),
                "{summary}: load read as stale: {reply:?}"
            );
        }
    }
}
