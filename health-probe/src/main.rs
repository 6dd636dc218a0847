//! `health-probe`: checks one HTTP endpoint, for Docker `HEALTHCHECK` in
//! images without curl.
//!
//! ```text
//! health-probe [--timeout 2s] http://127.0.0.1:8080/health/ready
//! ```
//!
//! Exit status: 0 when the answer is 2xx, 1 otherwise (non-2xx, timeout,
//! refused, malformed answer), 2 on bad arguments. One line on stderr says
//! why it failed. Plain HTTP/1.1 only (a container probes itself over
//! loopback); the standard library only, so
//! `RUSTFLAGS="-C target-feature=+crt-static" cargo build --release -p health-probe`
//! yields one static file.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: health-probe [--timeout <duration, e.g. 2s or 500ms>] http://host:port/path";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// The most of the status line and headers read before giving up.
const MAX_HEAD: u64 = 64 * 1024;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, timeout) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(why) => {
            eprintln!("health-probe: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match probe(&url, timeout) {
        Ok(status) if (200..300).contains(&status) => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("health-probe: {} answered {status}", url.original);
            ExitCode::from(1)
        }
        Err(why) => {
            eprintln!("health-probe: {}: {why}", url.original);
            ExitCode::from(1)
        }
    }
}

/// The parts of an `http://` URL the probe needs.
#[derive(Debug, PartialEq)]
struct Url {
    original: String,
    host: String,
    port: u16,
    path: String,
}

fn parse_args(args: &[String]) -> Result<(Url, Duration), String> {
    let mut timeout = DEFAULT_TIMEOUT;
    let mut url = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--timeout" | "-t" => {
                let value = args.next().ok_or("--timeout needs a value")?;
                timeout = parse_duration(value)?;
            }
            "--help" | "-h" => return Err("help".into()),
            other if url.is_none() => url = Some(parse_url(other)?),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok((url.ok_or("missing the URL to probe")?, timeout))
}

/// `250ms`, `2s`, `1m`, or plain seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid timeout {text:?}: write e.g. 2s or 500ms");
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let duration = match unit {
        "ms" => Duration::from_millis(number),
        "" | "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number * 60),
        _ => return Err(invalid()),
    };
    if duration.is_zero() {
        return Err(invalid());
    }
    Ok(duration)
}

fn parse_url(text: &str) -> Result<Url, String> {
    let rest = text
        .strip_prefix("http://")
        .ok_or_else(|| format!("{text:?} is not an http:// URL (the probe speaks plain HTTP to its own container)"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // `[v6 address]:port`, or `host:port`; the port defaults to 80.
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| format!("unclosed [ in {text:?}"))?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(port) => port.parse::<u16>().map_err(|_| format!("invalid port in {text:?}"))?,
        None => 80,
    };
    if host.is_empty() {
        return Err(format!("missing host in {text:?}"));
    }
    Ok(Url {
        original: text.to_owned(),
        host: host.to_owned(),
        port,
        path: if path.is_empty() { "/".into() } else { path.into() },
    })
}

/// Sends `GET` and returns the status code, all within `timeout`.
fn probe(url: &Url, timeout: Duration) -> io::Result<u16> {
    let deadline = Instant::now() + timeout;
    let remaining = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, format!("no answer within {timeout:?}")))
    };
    let addr: SocketAddr = (url.host.as_str(), url.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host resolves to no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, remaining()?)?;
    stream.set_write_timeout(Some(remaining()?))?;
    let host = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    // One `write_all` of the whole request: `write!` on the socket would send
    // it in fragments, and a server that answers after the request line
    // could close before the last fragment (a broken pipe, not its answer).
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}:{}\r\nUser-Agent: health-probe\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        url.path, url.port
    );
    stream.write_all(request.as_bytes())?;
    stream.set_read_timeout(Some(remaining()?))?;
    let mut status_line = String::new();
    BufReader::new(Read::by_ref(&mut stream).take(MAX_HEAD)).read_line(&mut status_line)?;
    remaining()?;
    parse_status(&status_line).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not an HTTP answer: {status_line:?}"),
        )
    })
}

/// The code of `HTTP/1.x 200 OK`.
fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    parts.next().filter(|version| version.starts_with("HTTP/1."))?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_defaults() {
        let url = parse_url("http://127.0.0.1:8080/health/ready").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.path.as_str()),
            ("127.0.0.1", 8080, "/health/ready")
        );
        let url = parse_url("http://localhost").unwrap();
        assert_eq!((url.host.as_str(), url.port, url.path.as_str()), ("localhost", 80, "/"));
        let url = parse_url("http://[::1]:8372/health/live").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 8372));
        let url = parse_url("http://[::1]/").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 80));
        assert!(parse_url("https://example.com/").is_err());
        assert!(parse_url("http://:80/").is_err());
        assert!(parse_url("http://h:port/").is_err());
    }

    #[test]
    fn durations_and_status_lines_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("0s").is_err() && parse_duration("fast").is_err());
        assert_eq!(parse_status("HTTP/1.1 503 Service Unavailable\r\n"), Some(503));
        assert_eq!(parse_status("SSH-2.0-OpenSSH\r\n"), None);
    }
}
