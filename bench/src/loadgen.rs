//! A closed-loop load generator: C connections (HTTP/1.1 keep-alive, hyper 1
//! client), each sending its next request as soon as the previous answer
//! arrived, for a fixed duration or a fixed request count. Latencies go
//! into an HDR histogram (microseconds, 3 significant digits).
//!
//! Closed loop means the figures are service times under C outstanding
//! requests; they are not corrected for coordinated omission.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hdrhistogram::Histogram;
use http::header::HOST;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Any error of a connection or a request.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where requests go: `http://<addr><path>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The server's address.
    pub addr: SocketAddr,
    /// Path and query.
    pub path: String,
}

impl Target {
    /// Parses `http://127.0.0.1:8080/health/ready` (an IP address, no name
    /// resolution: the benchmark only talks to loopback).
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("`{url}`: only http:// URLs"))?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let addr = authority
            .parse()
            .map_err(|e| format!("`{authority}` is not an IP:port ({e})"))?;
        let path = if path.is_empty() { "/" } else { path };
        Ok(Target {
            addr,
            path: path.to_owned(),
        })
    }
}

/// When a phase of load ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// After this long (requests in flight then still complete and count).
    Duration(Duration),
    /// After this many requests in total.
    Requests(u64),
}

/// A load run.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to request.
    pub target: Target,
    /// Concurrent connections, each with one request outstanding.
    pub connections: usize,
    /// How much load is measured.
    pub amount: Amount,
    /// Load sent before measuring (not recorded), e.g. to fill caches.
    pub warmup: Duration,
    /// `GET` this before and after the measured phase: a number, the
    /// dependency calls the server made so far.
    pub calls: Option<Target>,
    /// Linux: the server's process, whose CPU time is read from
    /// `/proc/<pid>/task/*/schedstat` before and after the measured phase.
    pub server_pid: Option<u32>,
    /// Give up on a request unanswered after this long (counted in
    /// [`Report::timeouts`], its connection dropped); `None` waits forever.
    pub request_timeout: Option<Duration>,
}

/// What one measured phase gave.
#[derive(Debug)]
pub struct Report {
    /// Answered requests (any status).
    pub requests: u64,
    /// Answers with a 2xx status.
    pub ok_2xx: u64,
    /// Transport errors (connect, reset, malformed answer).
    pub errors: u64,
    /// Requests given up after [`Config::request_timeout`] without an answer.
    pub timeouts: u64,
    /// Wall time of the measured phase.
    pub elapsed: Duration,
    /// Latency of each answered request, in microseconds.
    pub latency_us: Histogram<u64>,
    /// Dependency calls the server made during the phase.
    pub calls: Option<u64>,
    /// CPU time the server used during the phase.
    pub server_cpu: Option<Duration>,
}

impl Report {
    /// Answered requests per second.
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// Latency at `quantile` (0..=1).
    pub fn latency(&self, quantile: f64) -> Duration {
        Duration::from_micros(self.latency_us.value_at_quantile(quantile))
    }

    /// Dependency calls per answered request.
    pub fn calls_per_request(&self) -> Option<f64> {
        self.calls.map(|calls| calls as f64 / self.requests.max(1) as f64)
    }

    /// Server CPU time per answered request.
    pub fn server_cpu_per_request(&self) -> Option<Duration> {
        self.server_cpu.map(|cpu| cpu.div_f64(self.requests.max(1) as f64))
    }
}

/// One line of `key=value` pairs (what `scripts/load.sh` parses): times in
/// milliseconds, `-` when unknown.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| format!("{:.3}", d.as_secs_f64() * 1000.0);
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        write!(
            f,
            "requests={} ok_2xx={} non_2xx={} errors={} timeouts={} elapsed_s={:.3} rps={:.0} p50_ms={} p99_ms={} max_ms={} calls={} calls_per_request={} server_cpu_us_per_request={}",
            self.requests,
            self.ok_2xx,
            self.requests - self.ok_2xx,
            self.errors,
            self.timeouts,
            self.elapsed.as_secs_f64(),
            self.requests_per_second(),
            ms(self.latency(0.50)),
            ms(self.latency(0.99)),
            ms(Duration::from_micros(self.latency_us.max())),
            or_dash(self.calls.map(|c| c.to_string())),
            or_dash(self.calls_per_request().map(|c| format!("{c:.6}"))),
            or_dash(self.server_cpu_per_request().map(|d| format!("{:.1}", d.as_secs_f64() * 1e6))),
        )
    }
}

/// Runs the warm-up, then the measured phase.
pub async fn run(config: &Config) -> io::Result<Report> {
    if !config.warmup.is_zero() {
        phase(config, Amount::Duration(config.warmup)).await;
    }
    let calls_before = match &config.calls {
        Some(calls) => Some(read_counter(calls).await?),
        None => None,
    };
    let cpu_before = config.server_pid.and_then(cpu_time);
    let measured = phase(config, config.amount).await;
    let calls = match (&config.calls, calls_before) {
        (Some(calls), Some(before)) => Some(read_counter(calls).await?.saturating_sub(before)),
        _ => None,
    };
    let server_cpu = match (config.server_pid.and_then(cpu_time), cpu_before) {
        (Some(after), Some(before)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    Ok(Report {
        requests: measured.requests,
        ok_2xx: measured.ok_2xx,
        errors: measured.errors,
        timeouts: measured.timeouts,
        elapsed: measured.elapsed,
        latency_us: measured.latency_us,
        calls,
        server_cpu,
    })
}

/// What the connections of one phase counted, merged.
struct Tally {
    requests: u64,
    ok_2xx: u64,
    errors: u64,
    timeouts: u64,
    elapsed: Duration,
    latency_us: Histogram<u64>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            requests: 0,
            ok_2xx: 0,
            errors: 0,
            timeouts: 0,
            elapsed: Duration::ZERO,
            // 1 µs to 1 min, 3 significant digits.
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds"),
        }
    }

    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.ok_2xx += other.ok_2xx;
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        self.latency_us
            .add(&other.latency_us)
            .expect("histograms of the same bounds");
    }
}

/// Decides, request by request, whether a phase goes on.
enum Budget {
    Until(Instant),
    Remaining(AtomicU64),
}

impl Budget {
    /// Claims one more request; `false` once the phase is over.
    fn claim(&self) -> bool {
        match self {
            Budget::Until(deadline) => Instant::now() < *deadline,
            Budget::Remaining(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// Runs the configured clients until the amount is reached.
async fn phase(config: &Config, amount: Amount) -> Tally {
    let started = Instant::now();
    let budget = Arc::new(match amount {
        Amount::Duration(d) => Budget::Until(started + d),
        Amount::Requests(n) => Budget::Remaining(AtomicU64::new(n)),
    });
    let clients: Vec<_> = (0..config.connections.max(1))
        .map(|_| {
            let target = config.target.clone();
            tokio::spawn(client(target, config.request_timeout, Arc::clone(&budget)))
        })
        .collect();
    let mut tally = Tally::new();
    for client in clients {
        match client.await {
            Ok(counted) => tally.merge(counted),
            Err(_) => tally.errors += 1,
        }
    }
    tally.elapsed = started.elapsed();
    tally
}

/// One keep-alive connection sending requests back to back; reconnects
/// after a transport error or a request given up.
async fn client(target: Target, request_timeout: Option<Duration>, budget: Arc<Budget>) -> Tally {
    let mut tally = Tally::new();
    let mut connection: Option<SendRequest<Empty<Bytes>>> = None;
    while budget.claim() {
        let sender = match &mut connection {
            Some(sender) => sender,
            None => match connect(target.addr).await {
                Ok(sender) => connection.insert(sender),
                Err(_) => {
                    tally.errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let sent = Instant::now();
        let answer = match request_timeout {
            Some(limit) => tokio::time::timeout(limit, get(sender, &target)).await,
            None => Ok(get(sender, &target).await),
        };
        let Ok(answer) = answer else {
            tally.timeouts += 1;
            connection = None;
            continue;
        };
        match answer {
            Ok((status, _body)) => {
                let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                tally.latency_us.saturating_record(micros.max(1));
                tally.requests += 1;
                tally.ok_2xx += u64::from(status.is_success());
            }
            Err(_) => {
                tally.errors += 1;
                connection = None;
            }
        }
    }
    tally
}

/// Opens a connection (no Nagle delay on the request) and drives it in a task.
async fn connect(addr: SocketAddr) -> Result<SendRequest<Empty<Bytes>>, BoxError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends `GET target` and reads the whole answer.
async fn get(sender: &mut SendRequest<Empty<Bytes>>, target: &Target) -> Result<(StatusCode, Bytes), BoxError> {
    sender.ready().await?;
    let request = Request::get(target.path.as_str())
        .header(HOST, target.addr.to_string())
        .body(Empty::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Sends `GET target` on a fresh connection; returns the status and body.
pub async fn fetch(target: &Target) -> io::Result<(StatusCode, Bytes)> {
    let failed = |e: BoxError| io::Error::other(format!("GET {}: {e}", target.path));
    let mut sender = connect(target.addr).await.map_err(failed)?;
    get(&mut sender, target).await.map_err(failed)
}

/// Reads a counter served as a plain decimal number.
pub async fn read_counter(target: &Target) -> io::Result<u64> {
    let (_status, body) = fetch(target).await?;
    std::str::from_utf8(&body)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("GET {}: not a number: {body:?}", target.path)))
}

/// CPU time used so far by every thread of process `pid` (Linux: the first
/// field of `/proc/<pid>/task/<tid>/schedstat`, in nanoseconds). Threads
/// that already exited are not counted; the servers' threads live as long
/// as the process.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut nanos = 0u64;
    for task in tasks.flatten() {
        // A thread that exited since the directory was listed: skip it.
        let Ok(schedstat) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        nanos += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_ip_urls() {
        let target = Target::parse("http://127.0.0.1:8080/health/ready").unwrap();
        assert_eq!(target.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(target.path, "/health/ready");
        assert_eq!(Target::parse("http://[::1]:9").unwrap().path, "/");
        assert!(Target::parse("https://127.0.0.1:1/").is_err());
        assert!(Target::parse("http://localhost:1/").is_err());
    }

    #[test]
    fn a_request_budget_hands_out_exactly_its_count() {
        let budget = Budget::Remaining(AtomicU64::new(3));
        let claimed = std::iter::from_fn(|| budget.claim().then_some(())).take(10).count();
        assert_eq!(claimed, 3);
    }

    #[test]
    fn this_process_has_a_cpu_time_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(cpu_time(std::process::id()).is_some());
        }
    }
}
