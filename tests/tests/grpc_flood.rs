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
use raw_h2::{
    call_headers, connect, frame, read_frame, DATA, EMPTY_REQUEST, END_HEADERS, END_STREAM, GOAWAY, HEADERS, RST_STREAM,
};
use tokio::io::AsyncWriteExt;
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

/// How the server answered the streams of one connection.
#[derive(Debug, Default, Clone, Copy)]
struct Answers {
    /// Response headers that leave the stream open: a `Watch` held.
    held: usize,
    /// `RST_STREAM`, or a trailers-only answer (`RESOURCE_EXHAUSTED`).
    refused: usize,
    /// Streams past the last one a `GOAWAY` accepted.
    cut_off: usize,
}

impl Answers {
    fn answered(&self) -> usize {
        self.held + self.refused + self.cut_off
    }
}

/// Opens `streams` `Watch` streams at once on one connection, ignoring the
/// server's `SETTINGS_MAX_CONCURRENT_STREAMS`, and reads the answers until
/// every stream has one, the connection ends, or `deadline`. Returns with
/// the connection still open (its held streams with it).
async fn flood(addr: SocketAddr, streams: u32, deadline: Instant) -> (Answers, TcpStream) {
    let connection = connect(addr).await;
    let mut requests = Vec::new();
    let headers = call_headers("Watch");
    for i in 0..streams {
        let id = 2 * i + 1;
        requests.extend(frame(HEADERS, END_HEADERS, id, &headers));
        requests.extend(frame(DATA, END_STREAM, id, &EMPTY_REQUEST));
    }
    let (mut read, mut write) = connection.into_split();
    let writing = tokio::spawn(async move {
        // The server may close first (GOAWAY): what is left unsent is cut off.
        let _ = write.write_all(&requests).await;
        write
    });

    let mut answers = Answers::default();
    let mut seen = vec![false; streams as usize];
    let mut answer = |id: u32, held: bool, answers: &mut Answers| {
        let index = ((id - 1) / 2) as usize;
        if id % 2 == 1 && index < seen.len() && !seen[index] {
            seen[index] = true;
            match held {
                true => answers.held += 1,
                false => answers.refused += 1,
            }
        }
    };
    while answers.answered() < streams as usize {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some((kind, flags, id, payload))) = tokio::time::timeout(left, read_frame(&mut read)).await else {
            break; // the deadline, or the connection ended
        };
        match kind {
            HEADERS => answer(id, flags & END_STREAM == 0, &mut answers),
            RST_STREAM => answer(id, false, &mut answers),
            GOAWAY => {
                let last = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) & 0x7fff_ffff;
                answers.cut_off = (streams as usize).saturating_sub(last.div_ceil(2) as usize);
            }
            _ => {}
        }
    }
    let write = writing.await.unwrap();
    (answers, read.reunite(write).unwrap())
}

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
        answers.iter().fold(Answers::default(), |sum, a| Answers {
            held: sum.held + a.held,
            refused: sum.refused + a.refused,
            cut_off: sum.cut_off + a.cut_off,
        }),
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
