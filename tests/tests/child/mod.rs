//! The `health-child` binary (tests/bin/health_child.rs) as a process the
//! tests can signal, measure and ask.

// Each test binary uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// A running `health-child`, killed when dropped.
pub struct HealthChild {
    process: Child,
    lines: Receiver<String>,
    /// Its gRPC listener.
    pub grpc: SocketAddr,
    /// Its HTTP listener.
    pub http: SocketAddr,
}

impl HealthChild {
    /// Starts `health-child` with `args` and waits until it is `ready`.
    pub fn start(args: &[&str]) -> HealthChild {
        let mut process = Command::new(env!("CARGO_BIN_EXE_health-child"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start health-child");
        let stdout = process.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut child = HealthChild {
            process,
            lines,
            grpc: ([0, 0, 0, 0], 0).into(),
            http: ([0, 0, 0, 0], 0).into(),
        };
        child.grpc = child.expect_line("grpc=").parse().unwrap();
        child.http = child.expect_line("http=").parse().unwrap();
        child.expect_line("ready");
        child
    }

    /// The rest of the next line starting with `prefix` (earlier lines are
    /// skipped); panics after 20 s.
    pub fn expect_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.to_owned();
                    }
                }
                Err(e) => panic!("health-child printed no {prefix:?}: {e}"),
            }
        }
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-s", "TERM", &self.process.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -s TERM failed");
    }

    /// The exit status, if the process ended within `within`.
    pub fn exited_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.process.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// A line of /proc/<pid>/status, in KiB (`VmRSS`, `VmHWM`).
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/<pid>/status"))
    }
}

impl Drop for HealthChild {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The status code of `GET path` on `addr`, over HTTP/1.1.
pub fn http_status(addr: SocketAddr, path: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}
