//! The load generator of the load benchmark.
//!
//! ```text
//! loadgen --url http://127.0.0.1:PORT/health/ready --connections 32
//!         (--duration SECONDS | --requests N) [--warmup SECONDS]
//!         [--calls-url http://127.0.0.1:PORT/calls] [--server-pid PID]
//!         [--request-timeout SECONDS]
//! ```
//!
//! Prints one line of `key=value` pairs (see `health_bench::loadgen::Report`).

use std::process::ExitCode;
use std::time::Duration;

use health_bench::loadgen::{run, Amount, Config, Target};

const USAGE: &str = "usage: loadgen --url URL --connections N (--duration SECONDS | --requests N) [--warmup SECONDS] [--calls-url URL] [--server-pid PID] [--request-timeout SECONDS]";

fn seconds(value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{value}` is not a number of seconds"))
}

fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("`{value}` is not a number"))
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let (mut target, mut amount, mut calls, mut server_pid, mut request_timeout) = (None, None, None, None, None);
    let (mut connections, mut warmup) = (32, Duration::ZERO);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => target = Some(Target::parse(&value)?),
            "--connections" => connections = number(&value)?,
            "--duration" => amount = Some(Amount::Duration(seconds(&value)?)),
            "--requests" => amount = Some(Amount::Requests(number(&value)?)),
            "--warmup" => warmup = seconds(&value)?,
            "--calls-url" => calls = Some(Target::parse(&value)?),
            "--server-pid" => server_pid = Some(number(&value)?),
            "--request-timeout" => request_timeout = Some(seconds(&value)?),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Config {
        target: target.ok_or("--url is required")?,
        connections,
        amount: amount.ok_or("--duration or --requests is required")?,
        warmup,
        calls,
        server_pid,
        request_timeout,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("loadgen: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&config).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}
