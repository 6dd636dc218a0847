//! The gRPC benchmark: three servers of the `grpc.health.v1.Health` service
//! on loopback, a closed-loop `Check("")` load over HTTP/2, and a count of
//! what 10 000 open `Watch` streams cost the server.
//!
//! - `fixed`: a tonic server whose `Check` answers a constant `SERVING`:
//!   the floor of what gRPC costs here.
//! - `tonic-health`: tonic-health's own service, its status set by hand.
//! - `ours`: `health.grpc()` over the three 5 ms pings, background mode.
//! - `listener`: the same registry on the library's own listener
//!   (`health.grpc().bind(..)`) with its default limits, the server the
//!   hostile-client measurements (`scripts/hostile-load.sh`) flood.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use health_core::grpc::GrpcLimits;
use health_core::Health;
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Response, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::health_server::{Health as HealthService, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

use crate::loadgen::cpu_time;
use crate::pings::Pings;

/// A gRPC server of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrpcVariant {
    /// `Check` answers a constant `SERVING`.
    Fixed,
    /// tonic-health's service, its status set by hand.
    TonicHealth,
    /// Ours, fed from a background-mode registry.
    Ours,
    /// Ours on the library's listener, `GrpcLimits::default()`.
    Listener,
}

impl GrpcVariant {
    /// Every variant, in the order of the report.
    pub const ALL: [GrpcVariant; 4] = [
        GrpcVariant::Fixed,
        GrpcVariant::TonicHealth,
        GrpcVariant::Ours,
        GrpcVariant::Listener,
    ];

    /// The name on the command line and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            GrpcVariant::Fixed => "fixed",
            GrpcVariant::TonicHealth => "tonic-health",
            GrpcVariant::Ours => "ours",
            GrpcVariant::Listener => "listener",
        }
    }
}

impl fmt::Display for GrpcVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for GrpcVariant {
    type Err = String;

    fn from_str(name: &str) -> Result<GrpcVariant, String> {
        GrpcVariant::ALL
            .into_iter()
            .find(|v| v.name() == name)
            .ok_or_else(|| format!("unknown gRPC variant `{name}`: fixed, tonic-health, ours or listener"))
    }
}

/// `Check` answers `SERVING`, whatever is asked.
struct Fixed;

#[tonic::async_trait]
impl HealthService for Fixed {
    async fn check(&self, _request: Request<HealthCheckRequest>) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving.into(),
        }))
    }

    type WatchStream = futures_util::stream::Pending<Result<HealthCheckResponse, Status>>;

    async fn watch(&self, _request: Request<HealthCheckRequest>) -> Result<Response<Self::WatchStream>, Status> {
        Err(Status::unimplemented("not benchmarked"))
    }
}

/// Binds `addr` and serves `variant` until the process ends; returns the
/// address bound.
pub async fn serve(variant: GrpcVariant, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    if variant == GrpcVariant::Listener {
        let server = ready_registry().await?.grpc().handle_signals(false).bind(addr).await?;
        let local = server.local_addr();
        tokio::spawn(server.run());
        return Ok(local);
    }
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let incoming = TcpIncoming::from(listener);
    let router = match variant {
        GrpcVariant::Fixed => Server::builder().add_service(HealthServer::new(Fixed)),
        GrpcVariant::TonicHealth => {
            let (reporter, service) = tonic_health::server::health_reporter();
            reporter
                .set_service_status("", tonic_health::ServingStatus::Serving)
                .await;
            Server::builder().add_service(service)
        }
        GrpcVariant::Ours => {
            let health = ready_registry().await?;
            // `watch` measures what each watcher costs, 10 000 of them by
            // default: past the default cap of 1 024 they would be refused.
            let mut limits = GrpcLimits::default();
            limits.max_watch_streams = 1_000_000;
            Server::builder().add_service(health.grpc().limits(limits).into_service())
        }
        GrpcVariant::Listener => unreachable!("served above"),
    };
    tokio::spawn(router.serve_with_incoming(incoming));
    Ok(local)
}

/// A background-mode registry over the three pings.
async fn ready_registry() -> std::io::Result<Health<Pings>> {
    let health = Health::builder(Pings::default())
        .background()
        .build()
        .map_err(std::io::Error::other)?;
    // Until the first runs are in, so `Check("")` answers SERVING: each
    // change of the health state is a moment to look again.
    let mut changes = health.subscribe();
    while !health.readiness().await.status().is_healthy() {
        if changes.recv().await.is_none() {
            return Err(std::io::Error::other("the registry stopped before it was ready"));
        }
    }
    Ok(health)
}

/// `connections` HTTP/2 connections to `addr`.
async fn channels(addr: SocketAddr, connections: usize) -> Result<Vec<Channel>, tonic::transport::Error> {
    let mut channels = Vec::with_capacity(connections);
    for _ in 0..connections {
        channels.push(
            Endpoint::from_shared(format!("http://{addr}"))
                .expect("a URI")
                .connect()
                .await?,
        );
    }
    Ok(channels)
}

/// What a `Check("")` load measured.
#[derive(Debug)]
pub struct LoadReport {
    /// Calls answered `SERVING` per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Calls that failed or did not answer `SERVING`.
    pub errors: u64,
    /// The server's CPU time per measured call, µs, when its pid was given.
    pub server_cpu_us: Option<f64>,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rps={:.0} p50_ms={:.3} p99_ms={:.3} errors={} server_cpu_us_per_request={}",
            self.rps,
            self.p50_ms,
            self.p99_ms,
            self.errors,
            self.server_cpu_us
                .map_or_else(|| "-".to_owned(), |us| format!("{us:.1}")),
        )
    }
}

/// Closed-loop `Check("")` from `concurrency` callers over `connections`
/// connections: `warmup` unmeasured, then `duration` measured. The
/// connections are made first; then `connected` is awaited before the
/// calls begin (a script opening a flood in between, for instance). With
/// `server_pid`, the server's CPU time over the measured phase is counted
/// too.
pub async fn load(
    addr: SocketAddr,
    connections: usize,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    server_pid: Option<u32>,
    connected: impl std::future::Future<Output = ()>,
) -> Result<LoadReport, tonic::transport::Error> {
    let channels = channels(addr, connections).await?;
    connected.await;
    let measure_from = Instant::now() + warmup;
    let until = measure_from + duration;
    let cpu_from = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from.into()).await;
        server_pid.and_then(cpu_time)
    });
    let callers: Vec<_> = (0..concurrency)
        .map(|i| {
            let mut client = HealthClient::new(channels[i % channels.len()].clone());
            tokio::spawn(async move {
                let mut latencies = Histogram::<u64>::new(3).expect("a histogram");
                let mut errors = 0;
                loop {
                    let started = Instant::now();
                    if started >= until {
                        return (latencies, errors);
                    }
                    let answer = client.check(HealthCheckRequest { service: String::new() }).await;
                    if started < measure_from {
                        continue;
                    }
                    match answer {
                        Ok(answer) if answer.get_ref().status() == ServingStatus::Serving => {
                            latencies.saturating_record(started.elapsed().as_micros() as u64);
                        }
                        _ => errors += 1,
                    }
                }
            })
        })
        .collect();
    let mut all = Histogram::<u64>::new(3).expect("a histogram");
    let mut errors = 0;
    for caller in callers {
        let (latencies, failed) = caller.await.expect("a caller");
        all.add(latencies).expect("same bounds");
        errors += failed;
    }
    let cpu = match (cpu_from.await.expect("the CPU sample"), server_pid.and_then(cpu_time)) {
        (Some(from), Some(to)) => Some(to.saturating_sub(from)),
        _ => None,
    };
    let calls = all.len() + errors;
    Ok(LoadReport {
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50_ms: all.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms: all.value_at_quantile(0.99) as f64 / 1000.0,
        errors,
        server_cpu_us: cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / calls.max(1) as f64),
    })
}

/// Opens `watchers` `Watch("")` streams over `connections` connections and
/// keeps them open (each having received its first status); returns the
/// handles that keep them.
pub async fn watch(
    addr: SocketAddr,
    connections: usize,
    watchers: usize,
) -> Result<Vec<tonic::Streaming<HealthCheckResponse>>, Box<dyn std::error::Error>> {
    let channels = channels(addr, connections).await?;
    let clients: Vec<_> = channels.into_iter().map(HealthClient::new).collect();
    let clients = Arc::new(clients);
    let mut opened = Vec::with_capacity(watchers);
    for chunk in (0..watchers).collect::<Vec<_>>().chunks(500) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|i| {
                let mut client = clients[i % clients.len()].clone();
                tokio::spawn(async move {
                    let mut stream = client
                        .watch(HealthCheckRequest { service: String::new() })
                        .await?
                        .into_inner();
                    stream.message().await?;
                    Ok::<_, Status>(stream)
                })
            })
            .collect();
        for watcher in batch {
            opened.push(watcher.await??);
        }
    }
    Ok(opened)
}
