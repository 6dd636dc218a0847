//! Hostile clients over real sockets (`docs/design.md`, "Limits and
//! access"), against every adapter as the README serves it
//! (`adapters.rs`): a flood of idle and half-sent connections from another
//! process locks no probe out and holds no shutdown beyond drain + grace;
//! closed doors (a hidden deep endpoint, `/metrics` on a public listener)
//! answer every method exactly as an unknown path does. What only the
//! hyper listener has is at the end: the admin listener's `Host` check, and
//! the write timeout that closes a connection whose client never reads.

use std::process::Stdio;
use std::time::{Duration, Instant};

use health_core::prelude::*;
use hyper::{Method, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

#[path = "http/adapters.rs"]
#[allow(dead_code)] // what only the contract suite reads (`MOUNTED`, ...)
mod adapters;
#[path = "http/client.rs"]
#[allow(dead_code)]
mod client;

use adapters::{adapters, Adapter, GRACE};
use client::{get, send, Reply};

/// Idle connections of the flood: they send nothing.
const IDLE: usize = 10_000;
/// Half-sent request heads of the flood: they never end their head.
const HALF_SENT: usize = 1_000;
/// The drain delay of the flooded servers.
const DRAIN: Duration = Duration::from_secs(1);
/// How long a well-behaved probe may take during the flood: far beyond a
/// quiet answer (milliseconds), far below "locked out" (for ever).
const PROBE_BOUND: Duration = Duration::from_secs(5);
/// Scheduling slack on top of drain + grace, on a shared 2-core machine.
const MARGIN: Duration = Duration::from_secs(2);

/// One flood at a time in this process: each holds up to 11 000 sockets on
/// the server's side, and the process has one descriptor limit.
static ONE_FLOOD_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A state with no checks: the probes answer 200.
struct Calm;

/// The attacker process, holding its connections until dropped.
struct Attacker {
    child: Child,
}

impl Attacker {
    /// Starts `hostile-client` against `addr` and waits until its
    /// connections are open; returns it with how many it opened.
    async fn flood(addr: std::net::SocketAddr) -> (Attacker, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hostile-client"))
            .args([addr.to_string(), IDLE.to_string(), HALF_SENT.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("hostile-client runs");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).await.unwrap();
        assert!(line.starts_with("open "), "hostile-client said {line:?}");
        (Attacker { child }, line.trim().to_owned())
    }
}

impl Drop for Attacker {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.start_kill();
    }
}

/// A probe from a well-behaved client, which must answer within
/// [`PROBE_BOUND`].
async fn probe(addr: std::net::SocketAddr, path: &str) -> Reply {
    tokio::time::timeout(PROBE_BOUND, get(addr, path))
        .await
        .unwrap_or_else(|_| panic!("{path} did not answer within {PROBE_BOUND:?} during the flood"))
}

pub async fn a_flood_of_idle_and_half_sent_connections_locks_no_probe_out_and_holds_no_shutdown<A: Adapter>() {
    let _one = ONE_FLOOD_AT_A_TIME.lock().await;
    // The server's side of the flood lives in this process.
    tests_http::raise_descriptor_limit(IDLE + HALF_SENT).unwrap();
    let health = Health::builder(Calm).build().unwrap();
    let served = A::serve(health.http().handle_signals(false), DRAIN).await;
    let (attacker, opened) = Attacker::flood(served.addr).await;

    for _ in 0..10 {
        assert_eq!(
            probe(served.addr, "/health/live").await.status,
            StatusCode::OK,
            "{opened}"
        );
        assert_eq!(
            probe(served.addr, "/health/ready").await.status,
            StatusCode::OK,
            "{opened}"
        );
    }

    let began = Instant::now();
    health.begin_shutdown();
    let bound = DRAIN + GRACE + MARGIN;
    tokio::time::timeout(bound, served.stopped)
        .await
        .unwrap_or_else(|_| panic!("still serving {bound:?} after shutdown began, with {opened}"))
        .unwrap();
    assert!(began.elapsed() >= DRAIN, "stopped before the drain delay was over");
    drop(attacker);
}

/// Every method, standard or not (a request body is not needed to tell).
fn methods() -> Vec<Method> {
    let mut methods = vec![
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::TRACE,
    ];
    methods.push(Method::from_bytes(b"PROPFIND").unwrap());
    methods
}

/// A reply's headers without `date`, which moves with the clock.
fn comparable(reply: &Reply) -> Vec<(String, String)> {
    let mut headers: Vec<_> = reply
        .headers
        .iter()
        .filter(|(name, _)| *name != "date")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    headers
}

pub async fn closed_doors_answer_every_method_as_an_unknown_path<A: Adapter>() {
    let health = Health::builder(Calm).build().unwrap();
    // An exporter is configured, but no token: a public listener.
    let http = health.http().metrics(|| "# TYPE up gauge\nup 1\n".into());
    let addr = A::serve(http.handle_signals(false), DRAIN).await.addr;
    for method in methods() {
        let unknown = send(addr, method.clone(), "/health/nothing-here", &[]).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{method} on an unknown path");
        for closed in ["/health/deep", "/metrics"] {
            let reply = send(addr, method.clone(), closed, &[]).await;
            assert_eq!(reply.status, unknown.status, "{method} {closed}");
            assert_eq!(comparable(&reply), comparable(&unknown), "{method} {closed}");
            assert_eq!(reply.body, unknown.body, "{method} {closed}");
        }
    }
}

/// A test module per adapter (`name => Type` of `adapters!`), a test per case.
macro_rules! hostile_suite {
    ($($name:ident => $adapter:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn a_flood_of_idle_and_half_sent_connections_locks_no_probe_out_and_holds_no_shutdown() {
                    super::a_flood_of_idle_and_half_sent_connections_locks_no_probe_out_and_holds_no_shutdown::<
                        crate::adapters::$adapter,
                    >()
                    .await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn closed_doors_answer_every_method_as_an_unknown_path() {
                    super::closed_doors_answer_every_method_as_an_unknown_path::<crate::adapters::$adapter>().await;
                }
            }
        )*
    };
}

adapters!(hostile_suite);

/// Sends `GET <path>` with `host` as the `Host` header (none for `None`)
/// and reads the whole answer: status, `content-length`, body.
async fn get_with_host(addr: std::net::SocketAddr, path: &str, host: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let host = host.map(|host| format!("Host: {host}\r\n")).unwrap_or_default();
    let version = if host.is_empty() { "HTTP/1.0" } else { "HTTP/1.1" };
    let request = format!("GET {path} {version}\r\n{host}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let (head, _) = text.split_once("\r\n\r\n").expect("a whole head");
    let status = head[9..12].parse().unwrap();
    let length = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let body = answer[head.len() + 4..].to_vec();
    (status, length, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_listener_answers_only_loopback_names_with_its_port() {
    let health = Health::builder(Calm).build().unwrap();
    let admin = health
        .http()
        .metrics(|| "up 1\n".into())
        .handle_signals(false)
        .bind_admin(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = admin.local_addr();
    tokio::spawn(admin.run());
    let port = addr.port();
    let other = port.wrapping_add(1);

    for host in [
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        for path in ["/health/deep", "/metrics", "/health/live"] {
            let (status, _, body) = get_with_host(addr, path, Some(&host)).await;
            assert_eq!(status, 200, "{host} {path}");
            assert!(!body.is_empty());
        }
    }
    for host in [
        Some("attacker.example".to_owned()),
        Some(format!("attacker.example:{port}")),
        Some(format!("localhost.attacker.example:{port}")),
        Some(format!("127.0.0.1.nip.io:{port}")),
        Some(format!("localhost:{other}")),
        Some(format!("127.0.0.1:+{port}")),
        Some("localhost".to_owned()),
        Some("127.0.0.1".to_owned()),
        Some(format!("127.0.0.2:{port}")),
        Some(String::new()),
        None,
    ] {
        for path in ["/health/deep", "/metrics", "/health/live", "/nothing"] {
            let (status, length, body) = get_with_host(addr, path, host.as_deref()).await;
            assert_eq!(status, 421, "Host {host:?} {path}");
            assert_eq!(
                (length.as_str(), body.as_slice()),
                ("0", &b""[..]),
                "Host {host:?} {path}: no body"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hyper_listener_closes_a_connection_whose_client_never_reads() {
    let health = Health::builder(Calm).build().unwrap();
    let server = health
        .http()
        .handle_signals(false)
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run());

    // Requests pipelined as fast as the server takes them, answers never
    // read: once the buffers between are full, every write of the server
    // waits on this client.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let chunk = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1000);
    let bound = health_core::http::HealthHttp::WRITE_TIMEOUT + Duration::from_secs(20);
    let cut = tokio::time::timeout(bound, async {
        while stream.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    assert!(
        cut.is_ok(),
        "the connection was still open {bound:?} after a client stopped reading"
    );
    assert_eq!(probe(addr, "/health/live").await.status, StatusCode::OK);
}
