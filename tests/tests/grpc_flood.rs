//! 50 000 `Watch` streams asked for by a client that ignores HTTP/2's
//! concurrency setting (raw frames, as an attacker writes them), over one
//! connection and over 100, against the gRPC listener in a process of its
//! own (tests/bin/health_child.rs) with its default limits: the excess is
//! refused, the process's resident memory stays under a bound, and a fresh
//! client's `Check("")` still answers.

mod child;
mod raw_h2;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use child::HealthChild;
use raw_h2::{flood, Answers};
use tokio::net::TcpStream;
use tonic::transport::Endpoint;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

/// `Watch` streams requested in each case.
const STREAMS: u32 = 50_000;
/// The default limits (`GrpcLimits::default()`).
const PER_CONNECTION: usize = 32;
const WATCH_STREAMS: usize = 1024;
/// The bound on the serving process's peak resident memory (VmHWM), held
/// streams, connections and the refused ones' passage included. A debug
/// build idles at about 10 MiB; unbounded, 50 000 held streams are about
/// 300 MiB (6.3 KiB each).
const PEAK_RSS_BOUND_KIB: u64 = 96 * 1024;

/// `Check("")` from a new client, with a bound on the wait.
async fn fresh_check(addr: SocketAddr) -> ServingStatus {
    let ask = async {
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let answer = HealthClient::new(channel)
            .check(HealthCheckRequest { service: String::new() })
            .await
            .unwrap();
        answer.into_inner().status()
    };
    tokio::time::timeout(Duration::from_secs(10), ask)
        .await
        .expect("Check(\"\") answered while flooded")
}

/// Floods `connections` connections with `STREAMS` streams between them.
async fn flooded(connections: u32) -> (HealthChild, Vec<Answers>, Vec<TcpStream>) {
    let child = HealthChild::start(&[]);
    let baseline = child.memory_kib("VmRSS");
    let deadline = Instant::now() + Duration::from_secs(30);
    let per_connection = STREAMS / connections;
    let floods: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(flood(child.grpc, per_connection, deadline)))
        .collect();
    let mut answers = Vec::new();
    let mut open = Vec::new();
    for flood in floods {
        let (answered, connection) = flood.await.unwrap();
        answers.push(answered);
        open.push(connection);
    }
    let peak = child.memory_kib("VmHWM");
    eprintln!(
        "{connections} connection(s): {:?}; RSS {baseline} KiB before, peak {peak} KiB, now {} KiB",
        answers.iter().fold(Answers::default(), |sum, a| sum + *a),
        child.memory_kib("VmRSS"),
    );
    assert!(
        peak < PEAK_RSS_BOUND_KIB,
        "peak RSS {peak} KiB, bound {PEAK_RSS_BOUND_KIB} KiB"
    );
    (child, answers, open)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_watch_streams_on_one_connection_are_refused_but_32() {
    let (child, answers, _open) = flooded(1).await;
    let answers = answers[0];
    assert_eq!(answers.held, PER_CONNECTION, "{answers:?}");
    assert!(answers.refused > 0, "{answers:?}");
    assert_eq!(
        answers.answered(),
        STREAMS as usize,
        "every stream held or refused: {answers:?}"
    );
    assert_eq!(fresh_check(child.grpc).await, ServingStatus::Serving);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_watch_streams_over_100_connections_hold_at_most_the_cap() {
    let (child, answers, _open) = flooded(100).await;
    let held: usize = answers.iter().map(|a| a.held).sum();
    assert_eq!(held, WATCH_STREAMS, "{answers:?}");
    assert!(answers.iter().all(|a| a.held <= PER_CONNECTION), "{answers:?}");
    for connection in &answers {
        assert_eq!(
            connection.answered(),
            (STREAMS / 100) as usize,
            "every stream held or refused: {connection:?}"
        );
    }
    assert_eq!(fresh_check(child.grpc).await, ServingStatus::Serving);
}
