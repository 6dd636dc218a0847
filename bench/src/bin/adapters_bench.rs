//! The HTTP adapters' throughput: readiness requests/s and server CPU per
//! request of the axum router, the hyper listener, the tower service and
//! layer (under hyper-util) and the actix-web integration, each next to a
//! static answer of the same bytes on the same framework, in one run.
//!
//! ```text
//! adapters-bench serve VARIANT
//!     serves one variant on loopback (background mode over the three pings
//!     of `health_bench::pings`); prints `ready addr=..` once readiness
//!     answers 200, then serves until killed
//! adapters-bench run [--rounds 9] [--duration 6] [--warmup 1] [--connections 32]
//!                    [--instructions 20000]
//!     in each round, each variant in turn (in the opposite order every
//!     other round, so that each runs as often just before its baseline as
//!     just after it): `adapters-bench serve` pinned to
//!     CPU 0, `loadgen` (built next to this binary) pinned to CPU 1 against
//!     its readiness path, then the server is stopped; then, when valgrind is
//!     installed and --instructions is not 0, each variant once more under
//!     callgrind, its user-space instructions counted over that many requests
//!     after a quarter as many to warm it ([`health_bench::instructions`]);
//!     prints a Markdown report of the medians over rounds, the instructions
//!     per request, and the ratios to the baselines (each round pairs ours
//!     with its baseline, a minute apart at most: the median of those paired
//!     ratios decides, each round's is shown);
//!     fails (exit 2, the report on stderr) when any answer was not 2xx or
//!     any transport error occurred
//! ```
//!
//! `bash scripts/adapters-bench.sh` builds both binaries, runs `run` and
//! writes `bench/results/adapters-latest.md` with the run's header (date,
//! commit, command, machine load).
//! Variants: `axum-static` (an axum handler answering the readiness body and
//! headers ours answers, byte for byte) and `axum`
//! (`health.http().router()`), both under `axum::serve`; `tower-static` (a
//! `tower::service_fn` answering the same), `tower`
//! (`health.http().into_service()`), `tower-layer` (`health.http().layer()`
//! in front of an application answering 404), all three served by the same
//! hyper-util loop, and `hyper` (the listener of `health.http().bind()`,
//! hyper too, against `tower-static`); `actix-static` (an actix-web handler
//! answering the same) and `actix` (`health.http().actix_configure()`), one
//! actix worker each.

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use bytes::Bytes;
use health_bench::instructions::{self, Counted};
use health_bench::pings::Pings;
use health_bench::servers::STATIC_BODY;
use health_bench::variant::READY_PATH;
use health_core::Health;
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::Layer;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One server of this benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    AxumStatic,
    Axum,
    TowerStatic,
    Tower,
    TowerLayer,
    Hyper,
    ActixStatic,
    Actix,
}

/// In the order each round measures them: each of ours right after its
/// baseline.
const VARIANTS: [Variant; 8] = [
    Variant::AxumStatic,
    Variant::Axum,
    Variant::TowerStatic,
    Variant::Tower,
    Variant::TowerLayer,
    Variant::Hyper,
    Variant::ActixStatic,
    Variant::Actix,
];

/// Ours against its baseline: at least this share of its requests/s ...
const RPS_TARGET: f64 = 0.97;
/// ... at most this multiple of its server CPU per request.
const CPU_TARGET: f64 = 1.05;

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::AxumStatic => "axum-static",
            Variant::Axum => "axum",
            Variant::TowerStatic => "tower-static",
            Variant::Tower => "tower",
            Variant::TowerLayer => "tower-layer",
            Variant::Hyper => "hyper",
            Variant::ActixStatic => "actix-static",
            Variant::Actix => "actix",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Variant::AxumStatic => "axum handler, fixed answer (ours, verbatim), `axum::serve`",
            Variant::Axum => "`health.http().router()`, `axum::serve`",
            Variant::TowerStatic => "`tower::service_fn`, fixed answer (ours, verbatim), hyper-util",
            Variant::Tower => "`health.http().into_service()`, hyper-util",
            Variant::TowerLayer => "`health.http().layer()` over a 404 application, hyper-util",
            Variant::Hyper => "`health.http().bind(addr)`: the hyper listener",
            Variant::ActixStatic => "actix-web handler, fixed answer (ours, verbatim), 1 worker",
            Variant::Actix => "`health.http().actix_configure()`, 1 worker",
        }
    }

    /// The static answer on the same framework, for ours.
    fn baseline(self) -> Option<Variant> {
        match self {
            Variant::Axum => Some(Variant::AxumStatic),
            Variant::Tower | Variant::TowerLayer | Variant::Hyper => Some(Variant::TowerStatic),
            Variant::Actix => Some(Variant::ActixStatic),
            Variant::AxumStatic | Variant::TowerStatic | Variant::ActixStatic => None,
        }
    }

    fn parse(name: &str) -> Result<Variant, String> {
        VARIANTS
            .into_iter()
            .find(|v| v.name() == name)
            .ok_or_else(|| format!("unknown variant `{name}`"))
    }
}

/// A registry over the three pings in background mode, once its first runs
/// made readiness answer 200 (so no measured answer is `starting`).
async fn ready_registry() -> Result<Health<Pings>, String> {
    let health = Health::builder(Pings::default())
        .background()
        .build()
        .map_err(|e| e.to_string())?;
    while health.readiness().await.http_status() != 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(health)
}

/// The static answer: our readiness body with our headers.
fn fixed<B: From<Bytes>>() -> Response<B> {
    let mut response = Response::new(B::from(Bytes::from_static(STATIC_BODY)));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves `variant` on a loopback port in tasks (tower) or workers (actix)
/// of their own, and returns where.
async fn serve(variant: Variant) -> Result<SocketAddr, String> {
    let tower_static = tower::service_fn(|_: Request<Incoming>| async { Ok::<_, Infallible>(fixed::<Full<Bytes>>()) });
    match variant {
        Variant::AxumStatic => {
            axum_server(
                axum::Router::new().route(READY_PATH, axum::routing::get(|| async { fixed::<axum::body::Body>() })),
            )
            .await
        }
        Variant::Axum => axum_server(ready_registry().await?.http().router()).await,
        Variant::TowerStatic => hyper_util_server(tower_static).await,
        Variant::Tower => hyper_util_server(ready_registry().await?.http().into_service()).await,
        Variant::TowerLayer => {
            let not_found = tower::service_fn(|_: Request<Incoming>| async {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::NOT_FOUND;
                Ok::<_, Infallible>(response)
            });
            hyper_util_server(ready_registry().await?.http().layer().layer(not_found)).await
        }
        Variant::Hyper => {
            let server = ready_registry()
                .await?
                .http()
                .bind(([127, 0, 0, 1], 0).into())
                .await
                .map_err(|e| e.to_string())?;
            let addr = server.local_addr();
            tokio::spawn(server.run());
            Ok(addr)
        }
        Variant::ActixStatic => actix_server(|config: &mut web::ServiceConfig| {
            config.route(
                READY_PATH,
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .insert_header(("cache-control", "no-store"))
                        .body(STATIC_BODY)
                }),
            );
        }),
        Variant::Actix => actix_server(ready_registry().await?.http().actix_configure()),
    }
}

/// `router` under `axum::serve`, in the background.
async fn axum_server(router: axum::Router) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

/// The tower service under hyper-util: HTTP/1.1 connections, each in a
/// task of its own, with the README recipe's 5 s header-read timeout (what
/// the tower adapter's documentation shows; `scripts/hostile-load.sh`
/// floods it).
async fn hyper_util_server<T, B>(service: T) -> Result<SocketAddr, String>
where
    T: tower::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    T::Future: Send + 'static,
    T::Error: Into<BoxError>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let service = TowerToHyperService::new(service);
    tokio::spawn(async move {
        while let Ok((stream, _peer)) = listener.accept().await {
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(5))
                .serve_connection(TokioIo::new(stream), service.clone());
            tokio::spawn(connection);
        }
    });
    Ok(addr)
}

/// An actix-web server with one worker (what the CPU it is pinned to
/// gives), actix's signal handling off, running in the background.
fn actix_server<F>(configure: F) -> Result<SocketAddr, String>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let server = HttpServer::new(move || App::new().configure(configure.clone()))
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .map_err(|e| e.to_string())?;
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    Ok(addr)
}

/// Run settings.
struct Settings {
    rounds: usize,
    duration: f64,
    warmup: f64,
    connections: usize,
    /// Requests counted under callgrind per variant (0: none).
    instructions: u64,
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a value")),
        None => Ok(default),
    }
}

/// What one loadgen run of one variant gave.
#[derive(Debug, Default, Clone)]
struct Measured {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_us: f64,
    non_2xx: u64,
    errors: u64,
}

impl Measured {
    /// From loadgen's `key=value` line.
    fn parse(line: &str) -> Measured {
        let mut measured = Measured::default();
        for (key, value) in line.split_whitespace().filter_map(|kv| kv.split_once('=')) {
            let number = value.parse::<f64>().unwrap_or(f64::NAN);
            match key {
                "rps" => measured.rps = number,
                "p50_ms" => measured.p50_ms = number,
                "p99_ms" => measured.p99_ms = number,
                "server_cpu_us_per_request" => measured.cpu_us = number,
                "non_2xx" => measured.non_2xx = value.parse().unwrap_or(0),
                "errors" => measured.errors = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        measured
    }
}

/// The median (the lower middle value for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(f64::NAN)
}

/// `taskset -c CPU` when pinning is possible, else nothing.
fn pinned(cpu: u32, pin: bool, program: &Path) -> Command {
    if pin {
        let mut command = Command::new("taskset");
        command.arg("-c").arg(cpu.to_string()).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Starts `adapters-bench serve VARIANT`; returns it and where it listens.
fn start(exe: &Path, variant: Variant, pin: bool) -> Result<(Child, SocketAddr), String> {
    let mut child = pinned(0, pin, exe)
        .args(["serve", variant.name()])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    Ok((child, ready_addr(stdout, variant)?))
}

/// The address a serving variant prints once it is ready.
fn ready_addr(stdout: ChildStdout, variant: Variant) -> Result<SocketAddr, String> {
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
    line.trim()
        .strip_prefix("ready addr=")
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("{}: unexpected first line {line:?}", variant.name()))
}

/// `variant`'s user-space instructions per readiness request, counted by
/// callgrind over `settings.instructions` requests.
fn instructions_per_request(exe: &Path, loadgen: &Path, variant: Variant, settings: &Settings) -> Result<f64, String> {
    let out = std::env::temp_dir().join(format!(
        "adapters-bench-{}-{}.callgrind",
        std::process::id(),
        variant.name()
    ));
    let (server, stdout) = Counted::start(exe, &["serve", variant.name()], out)?;
    let addr = ready_addr(stdout, variant)?;
    let load = |requests: u64| -> Result<(), String> {
        let output = Command::new(loadgen)
            .args(["--url", &format!("http://{addr}{READY_PATH}")])
            .args(["--connections", &settings.connections.to_string()])
            .args(["--requests", &requests.to_string()])
            .output()
            .map_err(|e| format!("loadgen: {e}"))?;
        let measured = Measured::parse(&String::from_utf8_lossy(&output.stdout));
        if !output.status.success() || measured.errors + measured.non_2xx > 0 {
            return Err(format!(
                "{} under callgrind: {} errors, {} non-2xx {}",
                variant.name(),
                measured.errors,
                measured.non_2xx,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    };
    load(settings.instructions / 4)?;
    server.zero()?;
    load(settings.instructions)?;
    Ok(server.instructions()? as f64 / settings.instructions as f64)
}

fn run(args: &[String]) -> Result<(), String> {
    let settings = Settings {
        rounds: flag(args, "--rounds", 9)?,
        duration: flag(args, "--duration", 6.0)?,
        warmup: flag(args, "--warmup", 1.0)?,
        connections: flag(args, "--connections", 32)?,
        instructions: flag(args, "--instructions", 20_000)?,
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let loadgen = exe.with_file_name("loadgen");
    if !loadgen.exists() {
        return Err(format!("{} missing: build it too (see --help)", loadgen.display()));
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let taskset = Command::new("taskset")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let pin = taskset && cpus >= 2;
    let mut measured: Vec<Vec<Measured>> = vec![Vec::new(); VARIANTS.len()];
    for round in 1..=settings.rounds {
        // A variant measured after its baseline every time would carry
        // whatever drifts during the run; every other round goes backwards.
        let mut order: Vec<usize> = (0..VARIANTS.len()).collect();
        if round % 2 == 0 {
            order.reverse();
        }
        for i in order {
            let variant = VARIANTS[i];
            eprintln!("round {round}/{}: {} ...", settings.rounds, variant.name());
            let (mut server, addr) = start(&exe, variant, pin)?;
            let output = pinned(1, pin, &loadgen)
                .args(["--url", &format!("http://{addr}{READY_PATH}")])
                .args(["--connections", &settings.connections.to_string()])
                .args(["--duration", &settings.duration.to_string()])
                .args(["--warmup", &settings.warmup.to_string()])
                .args(["--server-pid", &server.id().to_string()])
                .output();
            let _ = server.kill();
            let _ = server.wait();
            let output = output.map_err(|e| format!("loadgen: {e}"))?;
            if !output.status.success() {
                return Err(format!("loadgen failed: {}", String::from_utf8_lossy(&output.stderr)));
            }
            measured[i].push(Measured::parse(&String::from_utf8_lossy(&output.stdout)));
        }
    }
    let counted = if settings.instructions == 0 {
        Counts::NotAsked
    } else if !instructions::available() {
        Counts::NoValgrind
    } else {
        let mut counts = Vec::new();
        for variant in VARIANTS {
            eprintln!("instructions: {} under callgrind ...", variant.name());
            counts.push(instructions_per_request(&exe, &loadgen, variant, &settings)?);
        }
        Counts::PerRequest(counts)
    };
    let report = report(&settings, &measured, &counted, pin);
    let failed: Vec<String> = VARIANTS
        .into_iter()
        .zip(&measured)
        .filter_map(|(variant, rounds)| {
            let errors: u64 = rounds.iter().map(|m| m.errors).sum();
            let non_2xx: u64 = rounds.iter().map(|m| m.non_2xx).sum();
            (errors + non_2xx > 0).then(|| format!("{}: {errors} transport errors, {non_2xx} non-2xx", variant.name()))
        })
        .collect();
    if !failed.is_empty() {
        eprint!("{report}");
        return Err(format!("the run failed: {}", failed.join("; ")));
    }
    print!("{report}");
    Ok(())
}

/// The instructions per request of each variant, if counted.
enum Counts {
    NotAsked,
    NoValgrind,
    /// In the order of [`VARIANTS`].
    PerRequest(Vec<f64>),
}

/// The Markdown report.
fn report(settings: &Settings, measured: &[Vec<Measured>], counted: &Counts, pin: bool) -> String {
    let field = |i: usize, get: fn(&Measured) -> f64| median(measured[i].iter().map(get).collect());
    let mut out = format!(
        "Measured by `adapters-bench run` (bench/src/bin/adapters_bench.rs); {}.\n",
        if pin {
            "server pinned to CPU 0, loadgen to CPU 1 (taskset)"
        } else {
            "no pinning (taskset missing or fewer than 2 CPUs)"
        }
    );
    out += &format!(
        "Readiness (`{READY_PATH}`), background mode over three 5 ms pings; {} keep-alive connections (closed loop), \
         {} s warm-up then {} s measured per variant, {} interleaved rounds (every other one in reverse order); medians over rounds, ratios paired by round.\n\n",
        settings.connections, settings.warmup, settings.duration, settings.rounds
    );
    out +=
        "| variant | what | requests/s (each round) | p50 ms | p99 ms | server CPU µs/request | non-2xx | errors |\n";
    out += "|---|---|---:|---:|---:|---:|---:|---:|\n";
    for (i, variant) in VARIANTS.into_iter().enumerate() {
        let rounds: Vec<String> = measured[i].iter().map(|m| format!("{:.0}", m.rps)).collect();
        out += &format!(
            "| {} | {} | {:.0} ({}) | {:.3} | {:.3} | {:.1} | {} | {} |\n",
            variant.name(),
            variant.what(),
            field(i, |m| m.rps),
            rounds.join(", "),
            field(i, |m| m.p50_ms),
            field(i, |m| m.p99_ms),
            field(i, |m| m.cpu_us),
            measured[i].iter().map(|m| m.non_2xx).sum::<u64>(),
            measured[i].iter().map(|m| m.errors).sum::<u64>(),
        );
    }
    out += "\n| ours / baseline | requests/s ratio: median of rounds (each round) | target | server CPU per request ratio: median of rounds (each round) | target | verdict |\n\
            |---|---:|---:|---:|---:|---|\n";
    for (i, variant) in VARIANTS.into_iter().enumerate() {
        let Some(baseline) = variant.baseline() else { continue };
        let b = VARIANTS.iter().position(|v| *v == baseline).unwrap_or(0);
        // Each round pairs ours with its baseline measured minutes apart
        // at most: the median of those paired ratios, not the ratio of the
        // medians, so a slow stretch of the machine falls on both sides.
        let paired = |get: fn(&Measured) -> f64| {
            let ratios: Vec<f64> = measured[i]
                .iter()
                .zip(&measured[b])
                .map(|(ours, base)| get(ours) / get(base))
                .collect();
            let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
            (median(ratios), each.join(", "))
        };
        let (rps_ratio, rps_rounds) = paired(|m| m.rps);
        let (cpu_ratio, cpu_rounds) = paired(|m| m.cpu_us);
        let met = rps_ratio >= RPS_TARGET && cpu_ratio <= CPU_TARGET;
        out += &format!(
            "| {} / {} | {rps_ratio:.3} ({rps_rounds}) | ≥ {RPS_TARGET} | {cpu_ratio:.3} ({cpu_rounds}) | ≤ {CPU_TARGET} | {} |\n",
            variant.name(),
            baseline.name(),
            if met { "met" } else { "**not met**" },
        );
    }
    match counted {
        Counts::NotAsked => {}
        Counts::NoValgrind => out += "\nInstructions per request not counted: valgrind is not installed.\n",
        Counts::PerRequest(counts) => {
            out += &format!(
                "\nUser-space instructions per request, counted by callgrind over {} requests per variant (after {} to \
                 warm it), {} connections:\n\n\
                 | ours / baseline | ours | baseline | ratio | target | verdict |\n\
                 |---|---:|---:|---:|---:|---|\n",
                settings.instructions,
                settings.instructions / 4,
                settings.connections
            );
            for (i, variant) in VARIANTS.into_iter().enumerate() {
                let Some(baseline) = variant.baseline() else { continue };
                let b = VARIANTS.iter().position(|v| *v == baseline).unwrap_or(0);
                let ratio = counts[i] / counts[b];
                out += &format!(
                    "| {} / {} | {:.0} | {:.0} | {ratio:.3} | ≤ {CPU_TARGET} | {} |\n",
                    variant.name(),
                    baseline.name(),
                    counts[i],
                    counts[b],
                    if ratio <= CPU_TARGET { "met" } else { "**not met**" },
                );
            }
        }
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let done = match args.first().map(String::as_str) {
        Some("serve") => args
            .get(1)
            .ok_or_else(|| "serve needs a variant".to_owned())
            .and_then(|name| Variant::parse(name))
            .and_then(|variant| {
                let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
                runtime.block_on(async {
                    let addr = serve(variant).await?;
                    println!("ready addr={addr}");
                    std::future::pending::<Result<(), String>>().await
                })
            }),
        Some("run") => run(&args[1..]),
        _ => Err(
            "usage: adapters-bench (serve VARIANT | run [--rounds 9] [--duration 6] [--warmup 1] [--connections 32] \
             [--instructions 20000]); \
             build with `cargo build --release -p health-bench --bin adapters-bench --bin loadgen`"
                .into(),
        ),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("adapters-bench: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// One request on a connection of its own: status code, the
    /// content-type and cache-control headers, and the body.
    async fn get(addr: SocketAddr, path: &str) -> (u16, Vec<String>, Vec<u8>) {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
        let status = head[9..12].parse().unwrap();
        let headers = head
            .lines()
            .filter(|line| line.starts_with("content-type:") || line.starts_with("cache-control:"))
            .map(|line| line.replace(' ', ""))
            .collect::<std::collections::BTreeSet<_>>();
        (status, headers.into_iter().collect(), answer[split + 4..].to_vec())
    }

    /// Every variant answers readiness 200 with the same body and headers,
    /// so the baselines cost what ours would if the answer were free.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_variant_answers_the_same_bytes() {
        let headers = vec![
            "cache-control:no-store".to_owned(),
            "content-type:application/json".to_owned(),
        ];
        for variant in VARIANTS {
            let addr = serve(variant).await.unwrap();
            let (status, got, body) = get(addr, READY_PATH).await;
            assert_eq!(
                (status, &got, body.as_slice()),
                (200, &headers, STATIC_BODY),
                "{}",
                variant.name()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_layer_passes_other_paths_to_the_application() {
        let addr = serve(Variant::TowerLayer).await.unwrap();
        assert_eq!(get(addr, "/orders").await.0, 404);
    }
}
