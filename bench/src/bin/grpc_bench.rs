//! The gRPC benchmark's processes.
//!
//! ```text
//! grpc-bench serve (fixed | tonic-health | ours | listener)
//!     prints `ready addr=127.0.0.1:PORT pid=PID` and serves until killed
//! grpc-bench load --addr ADDR [--connections 4] [--concurrency 32] [--warmup 2] [--duration 10] [--server-pid PID] [--after-line]
//!     prints `rps=.. p50_ms=.. p99_ms=.. errors=.. server_cpu_us_per_request=..`
//!     (the server's CPU time per call, with `--server-pid`); with `--after-line`,
//!     prints `connected` once its connections are made and waits for a
//!     line on its standard input before calling
//! grpc-bench watch --addr ADDR --pid SERVER_PID [--watchers 10000] [--connections 50] [--idle 10]
//!     opens the watchers, then prints the server's RSS and CPU time before,
//!     after opening them, and after `--idle` seconds with nothing changing
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use health_bench::grpc::{load, serve, watch, GrpcVariant};

/// VmRSS (KiB) and user + system CPU time (clock ticks) of `pid`.
fn usage(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name in parentheses; utime and stime are 14th and 15th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let cpu = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    (rss, cpu)
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: Option<T>) -> Result<T, String> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a value")),
        None => default.ok_or_else(|| format!("{name} is required")),
    }
}

async fn run(args: Vec<String>) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("serve") => {
            let variant: GrpcVariant = args.get(1).ok_or("serve needs a variant")?.parse()?;
            let addr = serve(variant, ([127, 0, 0, 1], 0).into())
                .await
                .map_err(|e| e.to_string())?;
            println!("ready addr={addr} pid={}", std::process::id());
            std::future::pending::<()>().await;
            Ok(())
        }
        Some("load") => {
            let addr: SocketAddr = flag(&args, "--addr", None)?;
            let connections = flag(&args, "--connections", Some(4))?;
            let concurrency = flag(&args, "--concurrency", Some(32))?;
            let warmup = Duration::from_secs_f64(flag(&args, "--warmup", Some(2.0))?);
            let duration = Duration::from_secs_f64(flag(&args, "--duration", Some(10.0))?);
            let server_pid = args
                .iter()
                .any(|a| a == "--server-pid")
                .then(|| flag::<u32>(&args, "--server-pid", None))
                .transpose()?;
            let gated = args.iter().any(|a| a == "--after-line");
            let connected = async move {
                if gated {
                    println!("connected");
                    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await;
                }
            };
            let report = load(addr, connections, concurrency, warmup, duration, server_pid, connected)
                .await
                .map_err(|e| e.to_string())?;
            println!("{report}");
            Ok(())
        }
        Some("watch") => {
            let addr: SocketAddr = flag(&args, "--addr", None)?;
            let pid: u32 = flag(&args, "--pid", None)?;
            let watchers = flag(&args, "--watchers", Some(10_000))?;
            let connections = flag(&args, "--connections", Some(50))?;
            let idle = Duration::from_secs_f64(flag(&args, "--idle", Some(10.0))?);
            let (rss_before, _) = usage(pid);
            let open = watch(addr, connections, watchers).await.map_err(|e| e.to_string())?;
            tokio::time::sleep(Duration::from_secs(1)).await;
            let (rss_open, cpu_open) = usage(pid);
            tokio::time::sleep(idle).await;
            let (rss_idle, cpu_idle) = usage(pid);
            println!(
                "watchers={} rss_before_kib={rss_before} rss_open_kib={rss_open} rss_idle_kib={rss_idle} \
                 per_watcher_bytes={} idle_cpu_ticks={} idle_s={}",
                open.len(),
                (rss_open.saturating_sub(rss_before)) * 1024 / open.len().max(1) as u64,
                cpu_idle.saturating_sub(cpu_open),
                idle.as_secs_f64()
            );
            drop(open);
            Ok(())
        }
        _ => Err("usage: grpc-bench (serve VARIANT | load --addr ADDR ... | watch --addr ADDR --pid PID ...)".into()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("grpc-bench: {e}");
            ExitCode::from(2)
        }
    }
}
