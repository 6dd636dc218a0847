//! The demo service started as a process and driven over HTTP: start-up,
//! degraded without Redis, ready with Redis, not ready when its PostgreSQL
//! is cut through the fault proxy, the deep endpoint's access, SIGTERM
//! draining, and the generated Kubernetes probes.
//!
//! Needs the local PostgreSQL and Redis (see the README's "Environment for
//! integration tests"); without them these tests fail, naming the server.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use health_core::testkit::{Fault, FaultProxy};
use serde::Deserialize as _;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A running demo process, killed when dropped.
struct Demo {
    child: Child,
    port: u16,
    admin_port: u16,
    _dir: TempDir,
}

impl Demo {
    /// Starts the demo on free ports with a fresh SQLite file, a 1 s warm-up
    /// and a 2 s drain, plus `env`; waits until it printed its addresses.
    async fn start(env: &[(&str, &str)]) -> Demo {
        let dir = TempDir::new();
        let sqlite = format!("sqlite://{}", dir.0.join("demo.sqlite3").display());
        let mut command = Command::new(env!("CARGO_BIN_EXE_demo"));
        command
            .envs([
                ("PORT", "0"),
                ("ADMIN_PORT", "0"),
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
        let (mut port, mut admin_port) = (None, None);
        let read = async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let port_of = |line: &str| line.split("http://127.0.0.1:").nth(1)?.split(' ').next()?.parse().ok();
                if line.starts_with("demo: serving on") {
                    port = port_of(&line);
                } else if line.starts_with("demo: admin on") {
                    admin_port = port_of(&line);
                }
                if port.is_some() && admin_port.is_some() {
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
            _dir: dir,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        get(self.port, path, &[]).await
    }

    /// Polls `path` until `accept` holds (or fails after `within`).
    async fn wait_for(&self, path: &str, within: Duration, accept: impl Fn(&Reply) -> bool) -> Reply {
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
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
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
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// `GET path` on loopback with `Connection: close`, read to the end.
async fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the demo");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
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
async fn required_server(name: &str, var: &str, default: &str) -> (String, SocketAddr) {
    let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    let authority = authority(&url);
    let addr: SocketAddr = authority
        .parse()
        .unwrap_or_else(|_| panic!("{var}={url:?}: the tests need a numeric host:port in the URL"));
    if let Err(e) = TcpStream::connect(addr).await {
        panic!("{name} is not reachable at {url} ({e}): start it, or point {var} at one");
    }
    (url, addr)
}

/// The `host:port` of `scheme://[user@]host:port/...`.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split('/').next().unwrap_or(rest);
    rest.rsplit_once('@').map_or(rest, |(_, host)| host)
}

async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {limit:?}"))
}

const GENEROUS: Duration = Duration::from_secs(15);

#[tokio::test]
async fn starts_as_starting_then_serves_degraded_without_redis() {
    let demo = Demo::start(&[("WARMUP_SECS", "3")]).await;
    let startup = demo.get("/health/startup").await;
    assert_eq!(
        (startup.status, startup.json()["status"].as_str()),
        (503, Some("starting"))
    );
    let ready = demo.get("/health/ready").await;
    assert_eq!((ready.status, ready.json()["status"].as_str()), (503, Some("starting")));
    assert_eq!(demo.get("/health/live").await.status, 200, "starting is alive");

    demo.wait_for("/health/startup", GENEROUS, |r| r.status == 200).await;
    let ready = demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;
    assert_eq!(ready.json()["status"], "degraded");
    assert_eq!(ready.json()["critical"]["primary_db"]["status"], "pass");
    assert_eq!(ready.json()["degraded"]["cache"]["status"], "fail");
    let status = demo.get("/status").await;
    assert_eq!(
        (status.status, status.json()["status"].as_str()),
        (200, Some("degraded"))
    );
}

#[tokio::test]
async fn ready_with_redis() {
    let (url, _) = required_server("Redis", "HEALTH_TEST_REDIS_URL", "redis://127.0.0.1:6379").await;
    let demo = Demo::start(&[("REDIS_URL", &url)]).await;
    let ready = demo
        .wait_for("/health/ready", GENEROUS, |r| {
            r.status == 200 && r.json()["status"] == "ready"
        })
        .await;
    assert_eq!(ready.json()["degraded"]["cache"]["status"], "pass");
}

#[tokio::test]
async fn not_ready_while_postgres_is_cut_and_back_when_restored() {
    let default = "postgres://postgres@127.0.0.1:5432/test";
    let (postgres, addr) = required_server("PostgreSQL", "HEALTH_TEST_POSTGRES_URL", default).await;
    let proxy = FaultProxy::start(addr).await.unwrap();
    // The same database, reached through the proxy.
    let url = postgres.replacen(authority(&postgres), &proxy.addr().to_string(), 1);
    let demo = Demo::start(&[("DATABASE_URL", &url)]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;

    // Blackholed: the critical check times out (2 s deadline) and the probe
    // still answers, bounded by that deadline.
    proxy.set(Fault::Blackhole).await;
    let cut = demo.wait_for("/health/ready", GENEROUS, |r| r.status == 503).await;
    assert_eq!(cut.json()["status"], "not_ready");
    let deep = get(demo.admin_port, "/health/deep", &[]).await.json();
    assert_eq!(
        cut.json()["critical"]["primary_db"]["reason"],
        "timeout",
        "{}",
        deep["checks"]["primary_db"]
    );
    let timed = Instant::now();
    let answer = within(
        Duration::from_secs(4),
        "a probe with a blackholed database",
        demo.get("/health/ready"),
    )
    .await;
    assert_eq!(answer.status, 503);
    assert!(timed.elapsed() < Duration::from_secs(3), "bounded by the 2 s deadline");
    assert_eq!(
        demo.get("/health/live").await.status,
        200,
        "a dependency never restarts the container"
    );

    // Refused: fails with reason error.
    proxy.set(Fault::Refuse).await;
    let refused = demo
        .wait_for("/health/ready", GENEROUS, |r| {
            r.json()["critical"]["primary_db"]["reason"] == "error"
        })
        .await;
    assert_eq!(refused.status, 503);

    // Restored: the pool recovers on its own.
    proxy.set(Fault::PassThrough).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;
}

#[tokio::test]
async fn the_deep_endpoint_is_on_the_admin_listener_or_behind_the_token() {
    let token = "demo-token-0123456789abcdef";
    let demo = Demo::start(&[("HEALTH_TOKEN", token)]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;

    let public = demo.get("/health/deep").await;
    assert_eq!(public.status, 401);
    assert!(!public.body.contains("primary_db"));
    let bearer = format!("Bearer {token}");
    let with_token = get(demo.port, "/health/deep", &[("Authorization", &bearer)]).await;
    assert_eq!(with_token.status, 200);
    assert!(with_token.json()["checks"]["primary_db"]["details"]["server_version"].is_string());

    let admin = get(demo.admin_port, "/health/deep", &[]).await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.json()["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn sigterm_flips_readiness_keeps_liveness_then_exits() {
    let mut demo = Demo::start(&[]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;

    let sent = Command::new("kill")
        .args(["-TERM", &demo.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let draining = demo
        .wait_for("/health/ready", Duration::from_secs(2), |r| r.status == 503)
        .await;
    assert_eq!(draining.json()["status"], "shutting_down");
    assert_eq!(
        demo.get("/health/live").await.status,
        200,
        "liveness stays 200 while draining"
    );

    let exit = within(Duration::from_secs(10), "the demo's exit after the 2 s drain", async {
        loop {
            if let Some(status) = demo.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn printed_kubernetes_probes_cover_the_deadlines_and_match_the_manifest() {
    let printed = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("--print-k8s-probes")
        .env_remove("DRAIN_SECS")
        .env_remove("WARMUP_SECS")
        .env_remove("PORT")
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert!(
        printed.stderr.is_empty(),
        "no warnings: {}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let generated: serde_yaml::Value = serde_yaml::from_slice(&printed.stdout).expect("valid YAML");
    let container = &generated["containers"][0];

    // The demo's deadlines: primary_db 2 s (readiness), event_loop 100 ms
    // (liveness), catalog_warmed 100 ms (startup); drain 5 s.
    let seconds = |probe: &str, key: &str| container[probe][key].as_u64().unwrap();
    assert!(seconds("readinessProbe", "timeoutSeconds") > 2);
    assert!(seconds("livenessProbe", "timeoutSeconds") >= 1);
    assert_eq!(seconds("livenessProbe", "successThreshold"), 1);
    assert_eq!(seconds("startupProbe", "successThreshold"), 1);
    assert!(seconds("startupProbe", "periodSeconds") * seconds("startupProbe", "failureThreshold") >= 3 + 30);
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert!(
            seconds(probe, "timeoutSeconds") <= seconds(probe, "periodSeconds"),
            "{probe}"
        );
    }
    let grace = generated["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(
        grace >= 5 + 2,
        "covers the drain delay and the slowest readiness answer"
    );

    let manifest_path = concat!(env!("CARGO_MANIFEST_DIR"), "/kubernetes/deployment.yaml");
    let manifest = std::fs::read_to_string(manifest_path).unwrap();
    let deployment = serde_yaml::Deserializer::from_str(&manifest)
        .map(|doc| serde_yaml::Value::deserialize(doc).unwrap())
        .find(|doc| doc["kind"] == "Deployment")
        .expect("a Deployment in the manifest");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(
        pod["terminationGracePeriodSeconds"],
        generated["terminationGracePeriodSeconds"]
    );
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert_eq!(
            pod["containers"][0][probe], container[probe],
            "{probe} drifted from --print-k8s-probes"
        );
    }
}
