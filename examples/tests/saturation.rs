//! Load never reads as death (`docs/design.md`, "Staleness under load"):
//! the demo with both cores saturated by busy threads and 10 000 gRPC
//! `Watch` streams opened in one burst on its gRPC listener, written as
//! raw HTTP/2 frames over 100 connections by a client that ignores the
//! server's concurrency setting (`tests/tests/raw_h2`, shared with the
//! gRPC flood suites). The listener's limits refuse most of them (32
//! streams per connection: `REFUSED_STREAM`; 1024 `Watch` streams in all:
//! `RESOURCE_EXHAUSTED`), but every one is a stream the runtime opens and
//! answers. Throughout, liveness answers 200 `alive` and readiness never
//! reads a background result as `stale`; it may change only as the design
//! says it may (a check that misses its deadline fails with `timeout`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../../tests/tests/raw_h2/mod.rs"]
mod raw_h2;
mod support;

use raw_h2::{flood, Answers};
use support::*;

/// `Watch` streams of the burst...
const BURST: u32 = 10_000;
/// ...spread over this many connections (the listener takes 256).
const CONNECTIONS: u32 = 100;
/// The demo's gRPC limits (`GrpcLimits::default()`): streams per connection,
/// `Watch` streams in all.
const PER_CONNECTION: usize = 32;
const WATCH_STREAMS: usize = 1024;
/// How long a probe may take before it counts as locked out.
const PROBE_BOUND: Duration = Duration::from_secs(10);
/// How long the burst may take to be answered on a saturated machine.
const BURST_BOUND: Duration = Duration::from_secs(60);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_demo_stays_alive_and_never_reads_load_as_stale() {
    let demo = Demo::start(&[]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;
    let port = demo.port;

    // Probe rounds completed, so the test can wait for rounds after the burst.
    let (round_done, mut rounds) = tokio::sync::watch::channel(0usize);
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
                round_done.send_modify(|n| *n += 1);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answers
        }
    });

    let saturated = Saturated::every_core();
    let began = Instant::now();
    let deadline = began + BURST_BOUND;
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], demo.grpc_port).into();
    // Every connection writes its streams at once: one burst.
    let floods: Vec<_> = (0..CONNECTIONS)
        .map(|_| tokio::spawn(flood(addr, BURST / CONNECTIONS, deadline)))
        .collect();
    let mut per_connection = Vec::new();
    let mut held_open = Vec::new();
    for flood in floods {
        let (answers, connection) = flood.await.unwrap();
        per_connection.push(answers);
        held_open.push(connection);
    }
    let burst_took = began.elapsed();
    let answers = per_connection.iter().fold(Answers::default(), |sum, a| sum + *a);
    // The synchronization point: every stream of the burst has its answer;
    // then two whole probe rounds more, the held streams still open, the
    // cores still saturated.
    let after_burst = *rounds.borrow();
    within(2 * PROBE_BOUND, "two probe rounds after the burst", async {
        // An error means the monitor ended: its panic is reported below.
        let _ = rounds.wait_for(|done| *done >= after_burst + 2).await;
    })
    .await;
    drop(saturated);
    probing.store(false, Ordering::Relaxed);
    let probes = monitor.await.unwrap();
    drop(held_open);

    let summary = format!(
        "{BURST} Watch streams over {CONNECTIONS} connections answered in {burst_took:?}: {answers:?}; {} probes",
        probes.len()
    );
    eprintln!("{summary}");
    assert_eq!(answers.answered(), BURST as usize, "every stream answered: {summary}");
    assert!(
        answers.held <= WATCH_STREAMS && per_connection.iter().all(|a| a.held <= PER_CONNECTION),
        "{summary}"
    );
    assert!(
        answers.refused + answers.cut_off >= (BURST as usize) - WATCH_STREAMS,
        "the excess refused: {summary}"
    );
    assert!(probes.len() >= 4, "{summary}");
    for (path, reply) in &probes {
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
