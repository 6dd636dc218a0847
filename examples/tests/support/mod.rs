//! What the end-to-end tests of the demo share: the demo as a process on
//! free ports, a plain HTTP client, the servers they need, time limits.

#![allow(dead_code)] // each test binary uses its part

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A running demo process, killed when dropped.
pub struct Demo {
    pub child: Child,
    pub port: u16,
    pub admin_port: u16,
    pub grpc_port: u16,
    _dir: TempDir,
}

impl Demo {
    /// Starts the demo on free ports with a fresh SQLite file, a 1 s warm-up
    /// and a 2 s drain, plus `env`; waits until it printed its addresses.
    pub async fn start(env: &[(&str, &str)]) -> Demo {
        let dir = TempDir::new();
        let sqlite = format!("sqlite://{}", dir.0.join("demo.sqlite3").display());
        let mut command = Command::new(env!("CARGO_BIN_EXE_demo"));
        command
            .envs([
                ("PORT", "0"),
                ("ADMIN_PORT", "0"),
                ("GRPC_PORT", "0"),
                ("WARMUP_SECS", "1"),
                ("DRAIN_SECS", "2"),
            ])
            .env("DATABASE_URL", sqlite)
            .env_remove("REDIS_URL")
            .env_remove("HEALTH_TOKEN")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("start the demo");
        let stdout = tokio::process::ChildStdout::from_std(child.stdout.take().unwrap()).unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let (mut port, mut admin_port, mut grpc_port) = (None, None, None);
        let read = async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let port_of = |line: &str, before: &str| line.split(before).nth(1)?.split(' ').next()?.parse().ok();
                if line.starts_with("demo: serving on") {
                    port = port_of(&line, "http://127.0.0.1:");
                } else if line.starts_with("demo: admin on") {
                    admin_port = port_of(&line, "http://127.0.0.1:");
                } else if line.starts_with("demo: grpc health on") {
                    grpc_port = port_of(&line, "127.0.0.1:");
                }
                if port.is_some() && admin_port.is_some() && grpc_port.is_some() {
                    return;
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), read).await.is_err() || port.is_none() {
            let _ = child.kill();
            panic!("the demo did not print its addresses (exit: {:?})", child.try_wait());
        }
        // Keep draining stdout so the demo never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Demo {
            child,
            port: port.unwrap(),
            admin_port: admin_port.unwrap(),
            grpc_port: grpc_port.unwrap(),
            _dir: dir,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        get(self.port, path, &[]).await
    }

    /// Polls `path` until `accept` holds (or fails after `within`).
    pub async fn wait_for(&self, path: &str, within: Duration, accept: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + within;
        loop {
            let reply = self.get(path).await;
            if accept(&reply) {
                return reply;
            }
            assert!(
                Instant::now() < deadline,
                "{path} still answers {reply:?} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("health-demo-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// `GET path` on loopback with `Connection: close`, read to the end.
pub async fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the demo");
    // Host with the port, as every client sends it: the admin listener answers nothing else.
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Reply { status, body }
}

/// The URL of a required server, from `var` or `default`, and its
/// `host:port`; fails loudly when nothing listens there.
pub async fn required_server(name: &str, var: &str, default: &str) -> (String, SocketAddr) {
    let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    let authority = authority(&url);
    let addr: SocketAddr = authority
        .parse()
        .unwrap_or_else(|_| panic!("{var}={url:?}: the tests need a numeric host:port in the URL"));
    if let Err(e) = TcpStream::connect(addr).await {
        panic!("{name} is not reachable at {url} ({e}): start it (`bash scripts/services.sh up` does), or point {var} at one");
    }
    (url, addr)
}

/// The `host:port` of `scheme://[user@]host:port/...`.
pub fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split('/').next().unwrap_or(rest);
    rest.rsplit_once('@').map_or(rest, |(_, host)| host)
}

pub async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {limit:?}"))
}

pub const GENEROUS: Duration = Duration::from_secs(15);
