//! The probe's exit codes against a real listener: 0 on 2xx, 1 on anything
//! else (5xx, garbage, a hang past the timeout, refused), 2 on bad arguments.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

/// A listener answering by path: `/ok` 200, `/down` 503, `/garbage` not
/// HTTP, `/hang` nothing at all.
fn server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                // Read the rest of the head, as a real server does before answering.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
                let mut stream = stream;
                let answer: &[u8] = match path.as_str() {
                    "/ok" => b"HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n{\"status\":\"ready\"}",
                    "/down" => b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
                    "/garbage" => b"SSH-2.0-OpenSSH_9.2\r\n",
                    _ => {
                        thread::sleep(Duration::from_secs(30));
                        return;
                    }
                };
                let _ = stream.write_all(answer);
            });
        }
    });
    addr
}

fn probe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_health-probe"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn two_hundred_is_zero_and_everything_else_is_one() {
    let addr = server();
    let url = |path: &str| format!("http://{addr}{path}");

    let ok = probe(&[&url("/ok")]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(ok.stderr.is_empty());

    let down = probe(&[&url("/down")]);
    assert_eq!(down.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("answered 503"),
        "{down:?}"
    );

    let garbage = probe(&[&url("/garbage")]);
    assert_eq!(garbage.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&garbage.stderr).contains("not an HTTP answer"),
        "{garbage:?}"
    );
}

#[test]
fn a_hanging_server_fails_at_the_timeout() {
    let addr = server();
    let start = Instant::now();
    let hang = probe(&["--timeout", "300ms", &format!("http://{addr}/hang")]);
    let took = start.elapsed();
    assert_eq!(hang.status.code(), Some(1));
    assert!(took < Duration::from_secs(5), "the probe hung for {took:?}");
}

#[test]
fn a_refused_connection_is_one() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = probe(&[&format!("http://127.0.0.1:{port}/health/ready")]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(!refused.stderr.is_empty());
}

#[test]
fn bad_arguments_are_two_with_usage() {
    for args in [
        vec![],
        vec!["https://example.com/"],
        vec!["--timeout", "soon", "http://127.0.0.1/"],
        vec!["a", "b"],
    ] {
        let bad = probe(&args);
        assert_eq!(bad.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&bad.stderr).contains("usage:"), "{args:?}");
    }
}
