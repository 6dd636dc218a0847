//! A hostile HTTP client: opens connections to a server and holds them,
//! `idle` that send nothing and `half_sent` that send part of a request
//! head and never the rest (slowloris), then prints `open <idle>
//! <half_sent>` with how many it opened, and holds them until its standard
//! input closes.
//!
//! ```text
//! hostile-client 127.0.0.1:8080 10000 1000
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// How many connects are in flight at once: below the listen backlog, so
/// that no SYN is dropped and retried a second later.
const CONCURRENT_CONNECTS: usize = 256;

/// The start of a request head, without the blank line that would end it.
const HALF_A_HEAD: &[u8] = b"GET /health/ready HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, idle, half_sent] = args.as_slice() else {
        eprintln!("usage: hostile-client <addr> <idle> <half_sent>");
        std::process::exit(2);
    };
    let addr: SocketAddr = addr.parse().expect("an address");
    let idle: usize = idle.parse().expect("a count of idle connections");
    let half_sent: usize = half_sent.parse().expect("a count of half-sent heads");
    if let Err(error) = tests_http::raise_descriptor_limit(idle + half_sent) {
        eprintln!("hostile-client: {error}");
        std::process::exit(3);
    }

    let held_idle = open(addr, idle, b"").await;
    let held_half = open(addr, half_sent, HALF_A_HEAD).await;
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
