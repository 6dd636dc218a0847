//! The demo service (`examples/demo`) as a real process behind the load
//! balancer: started on a port of its own, stopped with SIGTERM, started
//! again on the same port (the load balancer's server list is static).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use regex::Regex;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::Instant;

use crate::load::get;
use crate::process::Process;

/// One instance of the demo, and how to start it again.
pub struct Demo {
    name: &'static str,
    env: Vec<(&'static str, String)>,
    dir: PathBuf,
    /// The app's address (routes and public probes).
    pub addr: SocketAddr,
    process: Option<Process>,
}

impl Demo {
    /// Starts instance `name` on a free port with a SQLite file in `dir`,
    /// no Redis (so readiness is `degraded`), a 1 s warm-up, and `env` on
    /// top (`DRAIN_SECS`, `DATABASE_URL`...); waits until it is ready (200).
    /// Its log goes to `dir/{name}.log`.
    pub async fn start(dir: &Path, name: &'static str, env: &[(&'static str, String)]) -> Demo {
        let sqlite = format!("sqlite://{}", dir.join(format!("{name}.sqlite3")).display());
        let mut demo = Demo {
            name,
            env: [("DATABASE_URL", sqlite), ("WARMUP_SECS", "1".to_owned())]
                .into_iter()
                .chain(env.iter().cloned())
                .collect(),
            dir: dir.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            process: None,
        };
        demo.spawn().await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(demo.addr, "/health/ready").await.0 != 200 {
            assert!(Instant::now() < deadline, "demo {name} is not ready after 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        demo
    }

    /// Starts the process on `self.addr`'s port (0 the first time) and waits
    /// until it listens.
    async fn spawn(&mut self) {
        let mut command = Command::new(binary());
        command
            .env_remove("REDIS_URL")
            .env_remove("HEALTH_TOKEN")
            .env("RUST_LOG", "info,sqlx=warn")
            .env("PORT", self.addr.port().to_string())
            .env("ADMIN_PORT", "0")
            .env("GRPC_PORT", "0")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped());
        let log = self.dir.join(format!("{}.log", self.name));
        let mut process = Process::spawn(format!("demo {}", self.name), command, &log);
        let stdout = process.child().stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let serving = Regex::new(r"^demo: serving on http://127\.0\.0\.1:(\d+) ").unwrap();
        let port = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.ok().flatten() {
                if let Some(found) = serving.captures(&line) {
                    return found[1].parse::<u16>().ok();
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("demo {} did not start; see {}", self.name, log.display()));
        // Keep reading so the demo never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.addr.set_port(port);
        self.process = Some(process);
    }

    /// SIGTERM, then waits for the exit (the drain, then in-flight requests).
    /// Returns when the process exited.
    pub async fn stop(&mut self) -> Instant {
        let mut process = self.process.take().expect("a running demo");
        process.terminate();
        let status = process.exited(Duration::from_secs(60)).await;
        assert!(status.success(), "demo {} exited with {status}", self.name);
        Instant::now()
    }

    /// Starts the instance again on its port, without waiting for it to be
    /// ready: the load balancer's checks decide when it gets traffic.
    pub async fn start_again(&mut self) {
        assert!(self.process.is_none(), "demo {} still runs", self.name);
        self.spawn().await;
    }
}

/// The demo binary, built by `cargo test --workspace` next to this test's
/// own directory (`target/<profile>/deps/..` holds `demo`).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let demo = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile| profile.join("demo"))
        .expect("the test runs from target/<profile>/deps");
    assert!(
        demo.is_file(),
        "the demo binary is not at {}: run `cargo build -p examples --bin demo` first \
         (`cargo test --workspace` and `bash scripts/test.sh` build it)",
        demo.display()
    );
    demo
}
