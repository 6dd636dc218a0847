//! A hostile client, in two modes.
//!
//! ```text
//! hostile-client 127.0.0.1:8080 10000 1000 [h2]
//! hostile-client watch 127.0.0.1:50051 100 500
//! ```
//!
//! The first opens connections to a server and holds them, `idle` that
//! send nothing and `half_sent` that send part of an HTTP/1.1 request head
//! (with `h2`, part of the HTTP/2 connection preface) and never the rest
//! (slowloris), then prints `open <idle> <half_sent>` with how many it
//! opened, and holds them until its standard input closes.
//!
//! The second (`watch ADDR CONNECTIONS STREAMS`) floods a gRPC listener
//! with `Watch` streams written as raw HTTP/2 frames, ignoring the server's
//! concurrency setting (`tests/tests/raw_h2`): STREAMS on each of
//! CONNECTIONS connections at once. Once every stream of the first burst
//! has its answer it prints `burst held=.. refused=.. cut_off=..
//! failed_connections=..` and keeps the held streams open until a line
//! arrives on its standard input; then it repeats the burst (new
//! connections each time) until its standard input closes, and prints the
//! same counts summed over every burst, with `bursts=..`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

#[path = "../../../tests/tests/raw_h2/mod.rs"]
mod raw_h2;

use raw_h2::Answers;

/// How many connects are in flight at once: below the listen backlog, so
/// that no SYN is dropped and retried a second later.
const CONCURRENT_CONNECTS: usize = 256;

/// The start of a request head, without the blank line that would end it.
const HALF_A_HEAD: &[u8] = b"GET /health/ready HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
/// 16 of the 24 bytes of the HTTP/2 connection preface.
const HALF_A_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n";

const USAGE: &str =
    "usage: hostile-client <addr> <idle> <half_sent> [h2] | hostile-client watch <addr> <connections> <streams>";

/// `value` parsed, or the usage and exit code 2.
fn parsed<T: std::str::FromStr>(value: &str, what: &str) -> T {
    value.parse().unwrap_or_else(|_| {
        eprintln!("hostile-client: `{value}` is not {what}\n{USAGE}");
        std::process::exit(2);
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (addr, idle, half_sent, half) = match args.as_slice() {
        [watch, addr, connections, streams] if watch == "watch" => {
            let addr = parsed(addr, "an address");
            let connections = parsed(connections, "a count of connections");
            let streams = parsed(streams, "a count of streams");
            return watch_flood(addr, connections, streams).await;
        }
        [addr, idle, half_sent] => (addr, idle, half_sent, HALF_A_HEAD),
        [addr, idle, half_sent, h2] if h2 == "h2" => (addr, idle, half_sent, HALF_A_PREFACE),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let addr: SocketAddr = parsed(addr, "an address");
    let idle: usize = parsed(idle, "a count of idle connections");
    let half_sent: usize = parsed(half_sent, "a count of half-sent heads");
    if let Err(error) = tests_http::raise_descriptor_limit(idle + half_sent) {
        eprintln!("hostile-client: {error}");
        std::process::exit(3);
    }

    let held_idle = open(addr, idle, b"").await;
    let held_half = open(addr, half_sent, half).await;
    println!("open {} {}", held_idle.len(), held_half.len());

    // Hold every connection until told to stop (the test closes stdin, or
    // it died).
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 64];
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
    drop((held_idle, held_half));
}

/// Opens `count` connections, each having written `first`; those the server
/// refused or closed at once are left out.
async fn open(addr: SocketAddr, count: usize, first: &'static [u8]) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(count);
    let mut connecting = JoinSet::new();
    for _ in 0..count {
        if connecting.len() >= CONCURRENT_CONNECTS {
            held.extend(connecting.join_next().await.and_then(Result::ok).flatten());
        }
        connecting.spawn(async move {
            let connect = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(addr));
            let mut stream = connect.await.ok()?.ok()?;
            stream.write_all(first).await.ok()?;
            Some(stream)
        });
    }
    while let Some(joined) = connecting.join_next().await {
        held.extend(joined.ok().flatten());
    }
    held
}

/// The `watch` mode (module docs).
async fn watch_flood(addr: SocketAddr, connections: u32, streams: u32) {
    let counts = |answers: Answers, failed: usize| {
        format!(
            "held={} refused={} cut_off={} failed_connections={failed}",
            answers.held, answers.refused, answers.cut_off
        )
    };
    let (mut total, mut failed, held) = burst(addr, connections, streams).await;
    println!("burst {}", counts(total, failed));
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = String::new();
    let go_on = matches!(stdin.read_line(&mut line).await, Ok(n) if n > 0);
    drop(held);
    let mut bursts = 1;
    if go_on {
        let stdin_closed = tokio::spawn(async move {
            let mut sink = [0u8; 64];
            while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
        });
        while !stdin_closed.is_finished() {
            let (answers, refused_connections, _open) = burst(addr, connections, streams).await;
            total = total + answers;
            failed += refused_connections;
            bursts += 1;
        }
    }
    println!("bursts={bursts} {}", counts(total, failed));
}

/// One burst: `streams` `Watch` streams at once on each of `connections`
/// new connections, until each has its answer. Returns the answers, how
/// many connections were closed before their handshake (the listener's
/// connection cap), and the others, still open.
async fn burst(addr: SocketAddr, connections: u32, streams: u32) -> (Answers, usize, Vec<TcpStream>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let floods: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(raw_h2::flood(addr, streams, deadline)))
        .collect();
    let (mut answers, mut refused_connections, mut open) = (Answers::default(), 0, Vec::new());
    for flood in floods {
        match flood.await {
            Ok((answered, connection)) => {
                answers = answers + answered;
                open.push(connection);
            }
            // raw_h2::connect panics when the server closes before its SETTINGS.
            Err(_) => refused_connections += 1,
        }
    }
    (answers, refused_connections, open)
}
