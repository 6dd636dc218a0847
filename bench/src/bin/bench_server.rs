//! Serves one variant of the load benchmark on loopback.
//!
//! ```text
//! bench-server <variant> [--addr 127.0.0.1:0] [--control 127.0.0.1:0]
//! ```
//!
//! Variants: static, static-timer, naive-join, naive-seq, cached,
//! background, background-axum, blackhole, and the peers peer-axum-health,
//! peer-health, peer-axum-health-blackhole, peer-health-blackhole (the
//! Node.js peer is `bench/node/terminus-server.js`). Once serving, prints one line
//! `ready variant=.. addr=.. control=.. deadline_us=.. interval_us=..` on stdout; the
//! control listener answers `GET /calls` with the dependency calls made so
//! far. Runs until killed (SIGTERM ends it at once: no signal handler).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use health_bench::servers::spawn;
use health_bench::variant::Variant;

const USAGE: &str = "usage: bench-server <variant> [--addr 127.0.0.1:0] [--control 127.0.0.1:0]";

struct Args {
    variant: Variant,
    addr: SocketAddr,
    control: SocketAddr,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let variant = args.next().ok_or("missing variant")?.parse()?;
    let loopback: SocketAddr = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
    let (mut addr, mut control) = (loopback, loopback);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let parsed: SocketAddr = value.parse().map_err(|e| format!("{flag} {value}: {e}"))?;
        match flag.as_str() {
            "--addr" => addr = parsed,
            "--control" => control = parsed,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Args { variant, addr, control })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("bench-server: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let running = match spawn(args.variant, args.addr).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("bench-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (control, controlling) = match running.control(args.control).await {
        Ok(control) => control,
        Err(e) => {
            eprintln!("bench-server: control listener: {e}");
            return ExitCode::FAILURE;
        }
    };
    let micros = |d: Option<Duration>| d.map_or_else(|| "-".to_owned(), |d| d.as_micros().to_string());
    println!(
        "ready variant={} addr={} control={control} deadline_us={} interval_us={}",
        running.variant,
        running.addr,
        micros(running.deadline),
        micros(running.interval)
    );
    let ended = tokio::select! {
        ended = running.serving => ended,
        ended = controlling => ended,
    };
    match ended {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("bench-server: serving failed: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("bench-server: serving task failed: {e}");
            ExitCode::FAILURE
        }
    }
}
