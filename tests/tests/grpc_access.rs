//! What the gRPC health service shows and holds, over real sockets with
//! tonic's clients: unauthenticated callers see what unauthenticated HTTP
//! sees (no deep-only check, and none run for them); a deep token, either of
//! two during a rotation, shows the rest; `NOT_FOUND` repeats no long name;
//! `Watch` streams, connections and silent handshakes are capped; a peer
//! that stops answering PINGs loses its streams; shutdown is bounded;
//! accepted sockets carry the configured TCP keepalive, and a request whose
//! headers are over the limit is refused while the server keeps serving.

mod raw_h2;

use std::net::SocketAddr;
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use health_core::grpc::proto::{HealthListRequest, HealthListResponse};
use health_core::grpc::GrpcLimits;
use health_core::prelude::*;
use health_core::token::BearerToken;
use health_core::{BoxFuture, Probes};
use raw_h2::{
    call_headers, call_headers_with, frame, header_frames, read_frame, DATA, EMPTY_REQUEST, END_HEADERS, END_STREAM,
    HEADERS, PREFACE, RST_STREAM, SETTINGS,
};
use socket2::SockRef;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tonic_prost::ProstCodec;

const OLD_TOKEN: &str = "old-token-0123456789abcdef";
const NEW_TOKEN: &str = "new-token-fedcba9876543210";

#[derive(Default)]
struct Guarded {
    deep_runs: AtomicUsize,
}

#[health_check(critical)]
async fn database(_state: &Guarded) -> Result<(), String> {
    tests::reached()
}

/// A check in no probe: only the deep report shows it.
struct DeepOnly;

impl Check<Guarded> for DeepOnly {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("deep_only").probes(Probes::NONE)
    }

    fn run<'a>(&'a self, state: &'a Guarded) -> BoxFuture<'a, CheckOutcome> {
        Box::pin(async move {
            state.deep_runs.fetch_add(1, Ordering::SeqCst);
            CheckOutcome::pass()
        })
    }
}

/// How long the served registry drains.
const DRAIN: Duration = Duration::from_millis(100);

/// An on-demand registry (checks run only when asked) with a deep-only
/// check, served over gRPC with both tokens accepted and `limits`.
async fn serve(
    limits: GrpcLimits,
) -> (
    Health<Guarded>,
    SocketAddr,
    JoinHandle<Result<(), tonic::transport::Error>>,
) {
    let health = Health::builder(Guarded::default()).check(DeepOnly).build().unwrap();
    let tokens = BearerToken::any_of([OLD_TOKEN, NEW_TOKEN]).unwrap();
    let server = health
        .grpc()
        .handle_signals(false)
        .drain_delay(DRAIN)
        .deep_tokens(tokens)
        .limits(limits)
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = server.local_addr();
    (health, addr, tokio::spawn(server.run()))
}

async fn channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn request<T>(message: T, token: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    request
}

async fn check(addr: SocketAddr, service: &str, token: Option<&str>) -> Result<ServingStatus, tonic::Status> {
    let message = HealthCheckRequest {
        service: service.into(),
    };
    HealthClient::new(channel(addr).await)
        .check(request(message, token))
        .await
        .map(|answer| answer.into_inner().status())
}

/// The names `List` answers with, sorted.
async fn list(addr: SocketAddr, token: Option<&str>) -> Vec<String> {
    let mut grpc = tonic::client::Grpc::new(channel(addr).await);
    grpc.ready().await.unwrap();
    let listed: HealthListResponse = grpc
        .unary(
            request(HealthListRequest {}, token),
            PathAndQuery::from_static("/grpc.health.v1.Health/List"),
            ProstCodec::default(),
        )
        .await
        .unwrap()
        .into_inner();
    let mut names: Vec<String> = listed.statuses.into_keys().collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_deep_token_grpc_shows_what_public_http_shows_and_runs_no_deep_only_check() {
    let (health, addr, _running) = serve(GrpcLimits::default()).await;
    let public = ["", "database", "liveness", "readiness", "startup"];
    // The public HTTP bodies name the probes' checks, never a deep-only one.
    let ready = serde_json::to_value(health.readiness().await).unwrap();
    assert!(ready["critical"].get("database").is_some() && !ready.to_string().contains("deep_only"));

    for token in [None, Some("wrong-token-0123456789abcdef")] {
        assert_eq!(list(addr, token).await, public, "token {token:?}");
        let refused = check(addr, "deep_only", token).await.unwrap_err();
        assert_eq!(refused.code(), tonic::Code::NotFound, "as an unknown name");
        let unknown = check(addr, "no_such_check", token).await.unwrap_err();
        assert_eq!(
            refused.message().replace("deep_only", "no_such_check"),
            unknown.message(),
            "word for word"
        );
        let mut watched = HealthClient::new(channel(addr).await)
            .watch(request(
                HealthCheckRequest {
                    service: "deep_only".into(),
                },
                token,
            ))
            .await
            .unwrap()
            .into_inner();
        let first = watched.message().await.unwrap().unwrap();
        assert_eq!(first.status(), ServingStatus::ServiceUnknown);
        assert_eq!(check(addr, "database", token).await.unwrap(), ServingStatus::Serving);
    }
    assert_eq!(
        health.state().deep_runs.load(Ordering::SeqCst),
        0,
        "no unauthenticated request ran it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn either_deep_token_of_a_rotation_shows_deep_only_checks() {
    let (health, addr, _running) = serve(GrpcLimits::default()).await;
    for token in [OLD_TOKEN, NEW_TOKEN] {
        assert_eq!(
            list(addr, Some(token)).await,
            ["", "database", "deep_only", "liveness", "readiness", "startup"]
        );
        assert_eq!(
            check(addr, "deep_only", Some(token)).await.unwrap(),
            ServingStatus::Serving
        );
    }
    // Run for them (once: the result is then fresh for its interval).
    assert!(health.state().deep_runs.load(Ordering::SeqCst) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_repeats_no_long_name_and_large_requests_are_refused() {
    let (_health, addr, _running) = serve(GrpcLimits::default()).await;
    let long = "x".repeat(3000);
    let refused = check(addr, &long, None).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::NotFound);
    assert!(refused.message().len() < 120, "{} bytes", refused.message().len());
    assert!(refused.message().ends_with("..."), "{}", refused.message());
    let huge = check(addr, &"x".repeat(100_000), None).await.unwrap_err();
    assert_eq!(huge.code(), tonic::Code::OutOfRange, "{huge:?}");
}

/// Item 8 of issue 17: no value a caller can give panics. Durations too
/// long for a timer (here `Duration::MAX`) are read as the longest one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_durations_are_limits_not_panics() {
    let mut limits = GrpcLimits::default();
    limits.http2_keepalive_interval = Duration::MAX;
    limits.http2_keepalive_timeout = Duration::MAX;
    limits.tcp_keepalive = Duration::MAX;
    limits.handshake_timeout = Duration::MAX;
    limits.shutdown_grace = Duration::MAX;
    let (_health, addr, _running) = serve(limits).await;
    for _ in 0..3 {
        assert_eq!(
            check(addr, "", None).await.expect("the server answers"),
            ServingStatus::Serving
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_streams_past_the_cap_are_resource_exhausted_until_one_ends() {
    let mut limits = GrpcLimits::default();
    limits.max_watch_streams = 2;
    let (_health, addr, _running) = serve(limits).await;
    let mut client = HealthClient::new(channel(addr).await);
    let watch = || {
        let mut client = client.clone();
        async move { client.watch(HealthCheckRequest { service: String::new() }).await }
    };
    let first = watch().await.unwrap();
    let _second = watch().await.unwrap();
    let refused = watch().await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    assert!(refused.message().contains("2 Watch streams"), "{}", refused.message());
    drop(first);
    // The server sees the stream reset, then frees its place.
    let started = Instant::now();
    while watch().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the ended stream's place is freed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = client
        .check(HealthCheckRequest { service: String::new() })
        .await
        .unwrap();
}

/// Whether the server closes `connection` within `within` (read sees EOF or a reset).
async fn closed_within(connection: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 64];
    loop {
        match tokio::time::timeout(within, connection.read(&mut byte)).await {
            Err(_still_open) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // The server's SETTINGS: keep reading.
            Ok(Ok(_)) => {}
        }
    }
}

/// A connection that sent half the HTTP/2 preface and nothing more, once
/// the server holds it (its SETTINGS came).
async fn half_sent_preface(addr: SocketAddr) -> tokio::net::TcpStream {
    let mut connection = tokio::net::TcpStream::connect(addr).await.unwrap();
    connection.write_all(&PREFACE[..16]).await.unwrap();
    let (kind, _, _, _) = read_frame(&mut connection).await.expect("the server's SETTINGS");
    assert_eq!(kind, SETTINGS);
    connection
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_a_fresh_client_closes_the_oldest_silent_connection() {
    let mut limits = GrpcLimits::default();
    limits.max_connections = 2;
    // Far away: what frees a place below is eviction, not this timeout.
    limits.handshake_timeout = Duration::from_secs(600);
    let (_health, addr, _running) = serve(limits).await;
    let mut oldest = half_sent_preface(addr).await;
    let newest = half_sent_preface(addr).await;
    // The cap is full of silent connections: a fresh client is answered.
    let answered = tokio::time::timeout(Duration::from_secs(60), check(addr, "", None)).await;
    assert_eq!(
        answered.expect("answered before the handshake timeout").unwrap(),
        ServingStatus::Serving
    );
    assert!(
        closed_within(&mut oldest, Duration::from_secs(60)).await,
        "the oldest silent connection made room"
    );
    let mut byte = [0u8; 1];
    assert!(
        matches!(newest.try_read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "only one connection was closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_at_the_handshake_timeout() {
    let mut limits = GrpcLimits::default();
    limits.handshake_timeout = Duration::from_millis(500);
    let (_health, addr, _running) = serve(limits).await;
    let started = Instant::now();
    let mut silent = half_sent_preface(addr).await;
    assert!(
        closed_within(&mut silent, Duration::from_secs(5)).await,
        "silent connection kept"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "not before the timeout"
    );
}

/// Reads `connection` until its `Watch` (stream 1) reports `NOT_SERVING`;
/// `false` if the connection ends first.
async fn watch_says_not_serving(connection: &mut tokio::net::TcpStream) -> bool {
    while let Some((kind, _, stream, payload)) = read_frame(connection).await {
        // A gRPC message: 5-byte prefix, then `status = 2` (NOT_SERVING).
        if kind == DATA && stream == 1 && payload.ends_with(&[0x08, 0x02]) {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_with_every_connection_streaming_a_new_one_is_closed_and_the_watches_go_on() {
    let mut limits = GrpcLimits::default();
    limits.max_connections = 2;
    let (health, addr, _running) = serve(limits).await;
    let mut watching = [held_watch(addr).await, held_watch(addr).await];
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(PREFACE).await.ok();
    assert!(
        closed_within(&mut third, Duration::from_secs(60)).await,
        "over the cap with every connection streaming"
    );
    health.begin_shutdown();
    for connection in &mut watching {
        assert!(watch_says_not_serving(connection).await, "a held Watch was cut off");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_takes_the_same_rotation_and_refuses_tokens_that_could_never_match() {
    let health = Health::builder(Guarded::default()).check(DeepOnly).build().unwrap();
    let tokens = BearerToken::any_of([OLD_TOKEN, NEW_TOKEN]).unwrap();
    let server = health
        .http()
        .handle_signals(false)
        .deep_tokens(tokens)
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run());
    let deep = |authorization: String| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!("GET /health/deep HTTP/1.1\r\nHost: {addr}\r\n{authorization}Connection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer.split(' ').nth(1).unwrap().to_owned()
    };
    assert_eq!(deep(format!("Authorization: Bearer {OLD_TOKEN}\r\n")).await, "200");
    assert_eq!(deep(format!("Authorization: Bearer {NEW_TOKEN}\r\n")).await, "200");
    assert_eq!(
        deep("Authorization: Bearer wrong-token-0123456789\r\n".into()).await,
        "401"
    );
    assert_eq!(deep(String::new()).await, "401");

    for (token, says) in [
        (format!("{NEW_TOKEN}\n"), "whitespace"),
        (format!(" {NEW_TOKEN}"), "whitespace"),
        ("new-token-\u{1b}[0m-fedcba9876543210".to_owned(), "control character"),
        ("short".to_owned(), "at least 16"),
    ] {
        let refused = health.http().deep_token(&token).unwrap_err().to_string();
        assert!(refused.contains(says), "{token:?}: {refused}");
        assert!(!refused.contains("fedcba"), "the token is never repeated: {refused}");
    }
}

/// A raw connection holding a `Watch` of `""`, once its first status came.
async fn held_watch(addr: SocketAddr) -> tokio::net::TcpStream {
    let mut connection = raw_h2::connect(addr).await;
    let mut call = frame(HEADERS, END_HEADERS, 1, &call_headers("Watch"));
    call.extend(frame(DATA, END_STREAM, 1, &EMPTY_REQUEST));
    connection.write_all(&call).await.unwrap();
    loop {
        let (kind, flags, stream, _) = read_frame(&mut connection).await.expect("the Watch answered");
        if kind == HEADERS && stream == 1 {
            assert_eq!(flags & END_STREAM, 0, "the Watch is held");
            return connection;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_answering_pings_loses_its_watch_streams() {
    let mut limits = GrpcLimits::default();
    limits.max_watch_streams = 1;
    limits.http2_keepalive_interval = Duration::from_millis(200);
    limits.http2_keepalive_timeout = Duration::from_millis(300);
    let (_health, addr, _running) = serve(limits).await;
    // The only place, held by a peer that from now on reads nothing and
    // answers no PING (a dead peer whose FIN never comes).
    let _silent = held_watch(addr).await;
    let mut client = HealthClient::new(channel(addr).await);
    let watch = HealthCheckRequest { service: String::new() };
    let refused = client.watch(watch.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    // Reaped after a keepalive interval and timeout: the place is free.
    let started = Instant::now();
    while client.watch(watch.clone()).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the dead peer's stream was never reaped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_after_drain_and_grace_whatever_a_client_holds() {
    let mut limits = GrpcLimits::default();
    limits.shutdown_grace = Duration::from_millis(400);
    let (health, addr, running) = serve(limits).await;
    // A `Check` whose request never ends: headers, then nothing.
    let mut holding = raw_h2::connect(addr).await;
    holding
        .write_all(&frame(HEADERS, END_HEADERS, 1, &call_headers("Check")))
        .await
        .unwrap();
    // The server has read the call's HEADERS: the stream is open.
    raw_h2::round_trip(&mut holding).await;
    let began = Instant::now();
    health.begin_shutdown();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("run() returns after the drain and the grace")
        .unwrap()
        .unwrap();
    // It did wait for the held call, up to the grace.
    assert!(
        began.elapsed() >= DRAIN + Duration::from_millis(300),
        "{:?}",
        began.elapsed()
    );
}

/// SO_KEEPALIVE, TCP_KEEPIDLE and TCP_KEEPINTVL of the socket this process
/// accepted from `client` on `server`, found among `/proc/self/fd` and read
/// with getsockopt.
fn keepalive_of_accepted(server: SocketAddr, client: SocketAddr) -> (bool, Duration, Duration) {
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let is_socket = std::fs::read_link(entry.path()).is_ok_and(|to| to.to_string_lossy().starts_with("socket:"));
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse::<RawFd>().ok()) else {
            continue;
        };
        if !is_socket {
            continue;
        }
        // SAFETY: the descriptor is only read (getsockname, getpeername,
        // getsockopt) while borrowed here; if another test closed it since
        // the listing (and the number was reused), the addresses below do
        // not match and it is left alone.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = SockRef::from(&borrowed);
        let local = socket.local_addr().ok().and_then(|a| a.as_socket());
        let peer = socket.peer_addr().ok().and_then(|a| a.as_socket());
        if (local, peer) == (Some(server), Some(client)) {
            return (
                socket.keepalive().unwrap(),
                socket.tcp_keepalive_time().unwrap(),
                socket.tcp_keepalive_interval().unwrap(),
            );
        }
    }
    panic!("no socket accepted from {client} on {server} in /proc/self/fd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_connections_carry_the_configured_tcp_keepalive() {
    let mut limits = GrpcLimits::default();
    // Not the default (60 s), so that the test sees the setting applied.
    limits.tcp_keepalive = Duration::from_secs(47);
    let (_health, addr, _running) = serve(limits).await;
    // Past the handshake: the server has accepted the socket and set it up.
    let client = raw_h2::connect(addr).await;
    let (keepalive, idle, interval) = keepalive_of_accepted(addr, client.local_addr().unwrap());
    assert!(keepalive, "SO_KEEPALIVE on the accepted socket");
    assert_eq!(idle, Duration::from_secs(47), "TCP_KEEPIDLE");
    // The probe interval is not a limit of its own: the kernel's default.
    let kernel: u64 = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_keepalive_intvl")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(interval, Duration::from_secs(kernel), "TCP_KEEPINTVL");
}

/// Whether a `Check("")` sent as stream `id` on `connection` with
/// `metadata_bytes` of metadata is answered with a response message;
/// `false` if its stream ends without one (431, or `RST_STREAM`).
async fn answered_with_metadata(connection: &mut tokio::net::TcpStream, id: u32, metadata_bytes: usize) -> bool {
    let padding = "p".repeat(metadata_bytes);
    let mut call = header_frames(id, &call_headers_with("Check", &[("x-padding", &padding)]));
    call.extend(frame(DATA, END_STREAM, id, &EMPTY_REQUEST));
    connection.write_all(&call).await.unwrap();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), read_frame(connection)).await;
        let (kind, flags, stream, _) = next
            .unwrap_or_else(|_| panic!("stream {id} answered within 10 s"))
            .expect("the connection stays open");
        match kind {
            _ if stream != id => {}
            DATA => return true,
            RST_STREAM => return false,
            HEADERS if flags & END_STREAM != 0 => return false,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_headers_over_the_limit_are_refused_and_the_server_keeps_serving() {
    let mut smaller = GrpcLimits::default();
    smaller.max_header_bytes = 8 * 1024;
    // (limit, metadata over it, metadata under it): the default, and a
    // smaller one that would be answered if the setting were not applied.
    for (limits, over, under) in [(GrpcLimits::default(), 20_000, 12_000), (smaller, 12_000, 4_000)] {
        let limit = limits.max_header_bytes;
        let (_health, addr, _running) = serve(limits).await;
        let mut connection = raw_h2::connect(addr).await;
        assert!(
            answered_with_metadata(&mut connection, 1, under).await,
            "{under} bytes under the {limit}-byte limit"
        );
        assert!(
            !answered_with_metadata(&mut connection, 3, over).await,
            "{over} bytes over the {limit}-byte limit"
        );
        // The same connection, and a new client, are still served.
        assert!(
            answered_with_metadata(&mut connection, 5, under).await,
            "after the refusal"
        );
        assert_eq!(check(addr, "", None).await.unwrap(), ServingStatus::Serving);
    }
}
