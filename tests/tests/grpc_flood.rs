//! 50 000 `Watch` streams asked for by a client that ignores HTTP/2's
//! concurrency setting (raw frames, as an attacker writes them), over one
//! connection and over 100, against the gRPC listener in a process of its
//! own (tests/bin/health_child.rs) with its default limits: the excess is
//! refused, the process's resident memory stays under a bound, and a fresh
//! client's `Check("")` still answers.

mod child;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use child::HealthChild;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const DATA: u8 = 0;
const HEADERS: u8 = 1;
const RST_STREAM: u8 = 3;
const SETTINGS: u8 = 4;
const GOAWAY: u8 = 7;
const END_STREAM: u8 = 1;
const END_HEADERS: u8 = 4;

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut frame = vec![len[1], len[2], len[3], kind, flags];
    frame.extend_from_slice(&stream.to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// HPACK, literals only (no table, no Huffman): `POST /grpc.health.v1.Health/Watch`.
fn watch_headers() -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    let literal = |block: &mut Vec<u8>, name: &[u8], value: &[u8]| {
        block.extend_from_slice(name);
        block.push(u8::try_from(value.len()).unwrap());
        block.extend_from_slice(value);
    };
    literal(&mut block, &[0x04], b"/grpc.health.v1.Health/Watch"); // :path
    literal(&mut block, &[0x01], b"localhost"); // :authority
    literal(&mut block, &[0x0f, 0x10], b"application/grpc"); // content-type
    literal(&mut block, &[0x00, 0x02, b't', b'e'], b"trailers");
    block
}

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
    let mut connection = TcpStream::connect(addr).await.unwrap();
    let mut hello = PREFACE.to_vec();
    hello.extend(frame(SETTINGS, 0, 0, &[]));
    connection.write_all(&hello).await.unwrap();
    // The server's SETTINGS, acknowledged, then every stream at once.
    let mut head = [0u8; 9];
    connection.read_exact(&mut head).await.unwrap();
    assert_eq!(head[3], SETTINGS, "the server speaks first with its SETTINGS");
    let mut settings = vec![0u8; usize::from(head[2])];
    connection.read_exact(&mut settings).await.unwrap();
    let mut requests = frame(SETTINGS, 1, 0, &[]);
    let headers = watch_headers();
    for i in 0..streams {
        let id = 2 * i + 1;
        requests.extend(frame(HEADERS, END_HEADERS, id, &headers));
        requests.extend(frame(DATA, END_STREAM, id, &[0, 0, 0, 0, 0])); // an empty HealthCheckRequest
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
        let mut head = [0u8; 9];
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, read.read_exact(&mut head)).await {
            Ok(Ok(_)) => {}
            Ok(Err(_closed)) => break,
            Err(_deadline) => break,
        }
        let len = (usize::from(head[0]) << 16) | (usize::from(head[1]) << 8) | usize::from(head[2]);
        let id = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
        let mut payload = vec![0u8; len];
        if read.read_exact(&mut payload).await.is_err() {
            break;
        }
        match head[3] {
            HEADERS => answer(id, head[4] & END_STREAM == 0, &mut answers),
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
