//! Open-source nginx with the documented upstream and server blocks, and
//! its access log: which upstreams each request tried.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::process::Command;
use tokio::time::Instant;

use crate::docs;
use crate::process::{check_config, installed, Process};

/// A running nginx (master and one worker).
pub struct Nginx {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The documented part of the configuration, as run.
    pub config: String,
    access_log: PathBuf,
    _process: Process,
}

impl Nginx {
    /// Wraps the documented configuration in a main configuration that
    /// keeps every path in `dir` (pid, logs, temporary files), checks it
    /// with `nginx -t`, and starts nginx in the foreground.
    pub async fn start(dir: &Path, servers: [SocketAddr; 2]) -> Nginx {
        let local = docs::Local::new(dir, servers);
        let (command, config) = checked_config(&local, dir).await;
        let process = Process::spawn("nginx", command, &dir.join("nginx.log"));
        crate::process::wait_for_port(local.listen, "nginx").await;
        Nginx {
            addr: local.listen,
            config,
            access_log: dir.join("access.log"),
            _process: process,
        }
    }

    /// The access log so far, one entry a request.
    pub fn log(&self) -> Vec<Logged> {
        let text = std::fs::read_to_string(&self.access_log).unwrap_or_default();
        text.lines().filter_map(Logged::parse).collect()
    }
}

/// Writes the documented configuration for `local` to `dir/app.conf`,
/// wrapped in a main configuration that keeps every path in `dir` (pid,
/// logs, temporary files), and checks it with `nginx -t`; returns the
/// command that runs it in the foreground, and the documented part.
pub async fn checked_config(local: &docs::Local, dir: &Path) -> (Command, String) {
    let config = local.nginx();
    std::fs::write(dir.join("app.conf"), &config).expect("write app.conf");
    let main = format!(
        "daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{ worker_connections 1024; }}
http {{
    log_format upstreams '$msec $request_method $status \"$upstream_addr\" \"$upstream_status\"';
    access_log {dir}/access.log upstreams;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/app.conf;
}}
",
        dir = dir.display(),
    );
    let file = dir.join("nginx.conf");
    std::fs::write(&file, main).expect("write nginx.conf");
    let nginx = |extra: &[&str]| {
        let mut command = Command::new(installed("nginx"));
        command
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&file)
            .args(extra)
            .stdout(Stdio::null());
        command
    };
    check_config("nginx", &mut nginx(&["-t"])).await;
    (nginx(&[]), config)
}

/// One line of the access log.
#[derive(Debug)]
pub struct Logged {
    /// When nginx finished the request (wall clock).
    pub at: SystemTime,
    /// Each upstream tried, in order, with the status it gave (`502` for a
    /// refused connection).
    pub tries: Vec<(String, String)>,
}

impl Logged {
    /// `1764118000.123 GET 200 "127.0.0.1:1, 127.0.0.1:2" "502, 200"`.
    fn parse(line: &str) -> Option<Logged> {
        let (head, quoted) = line.split_once(" \"")?;
        let seconds: f64 = head.split(' ').next()?.parse().ok()?;
        let (addrs, statuses) = quoted.trim_end_matches('"').split_once("\" \"")?;
        let list = |text: &str| text.split(", ").map(str::to_owned).collect::<Vec<_>>();
        Some(Logged {
            at: UNIX_EPOCH + Duration::from_secs_f64(seconds),
            tries: list(addrs).into_iter().zip(list(statuses)).collect(),
        })
    }

    /// Whether `server` was tried for this request and did not answer it
    /// (a refused connection shows as `502`).
    pub fn failed_on(&self, server: SocketAddr) -> bool {
        self.tries
            .iter()
            .any(|(addr, status)| *addr == server.to_string() && !status.starts_with('2'))
    }

    /// Whether `server` answered it.
    pub fn served_by(&self, server: SocketAddr) -> bool {
        self.tries
            .last()
            .is_some_and(|(addr, status)| *addr == server.to_string() && status.starts_with('2'))
    }
}

/// The wall-clock time of a monotonic instant (to place access-log entries
/// on the test's timeline).
pub fn wall_clock(at: Instant) -> SystemTime {
    let now = Instant::now();
    if at <= now {
        SystemTime::now() - (now - at)
    } else {
        SystemTime::now() + (at - now)
    }
}
