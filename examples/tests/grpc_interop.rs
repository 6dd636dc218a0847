//! The demo's gRPC health service asked by a client nobody here wrote: the
//! gRPC project's own Python health-checking client (PyPI `grpcio` and
//! `grpcio-health-checking`, in the virtualenv `scripts/test.sh` makes at
//! `target/grpc-venv`), running `examples/grpc/health_client.py`: `Check` of
//! the server, of the probes, of checks and of an unknown name, `List`, and a
//! `Watch` that sees `SERVING`, then `NOT_SERVING` when the demo gets
//! SIGTERM, then the end of the stream when the drain is over: a clean end
//! (status `OK`, the server ending the stream, not `UNAVAILABLE` from a
//! broken connection or a killed process), no sooner than the drain delay
//! and before the drain and the gRPC listener's grace are over.

mod support;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use health_core::grpc::GrpcLimits;
use serde_json::Value;
use support::*;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The virtualenv's Python; fails loudly when it is missing.
fn python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/grpc-venv/bin/python");
    assert!(
        venv.is_file(),
        "{} not found: `bash scripts/test.sh` creates it (python3 -m venv target/grpc-venv; \
         pip install grpcio grpcio-health-checking)",
        venv.display()
    );
    venv
}

#[tokio::test]
async fn the_grpc_projects_python_client_checks_lists_and_watches_the_demo() {
    // SQLite on the fly, no Redis: the database passes, the cache fails,
    // so the demo is degraded: serving.
    let demo = Demo::start(&[("WARMUP_SECS", "1"), ("DRAIN_SECS", "1")]).await;
    let drain = Duration::from_secs(1);
    // The demo's gRPC listener runs with the default limits: what is still
    // open this long after the drain is cut off.
    let grace = GrpcLimits::default().shutdown_grace;
    demo.wait_for("/health/ready", GENEROUS, |r| r.json()["status"] == "degraded")
        .await;

    let mut client = tokio::process::Command::new(python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/grpc/health_client.py"))
        .arg(format!("127.0.0.1:{}", demo.grpc_port))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run the Python client");
    let mut lines = BufReader::new(client.stdout.take().unwrap()).lines();
    let mut answers: Vec<Value> = Vec::new();
    let read_all = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let answer: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if answer["call"] == "watching" {
                // The first Watch status is in: begin the demo's shutdown.
                let sent = std::process::Command::new("kill")
                    .args(["-TERM", &demo.child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(sent.success());
            }
            answers.push(answer);
        }
    };
    tokio::time::timeout(drain + grace + Duration::from_secs(30), read_all)
        .await
        .expect("the Python client finished");
    let output = client.wait_with_output().await.unwrap();
    assert!(
        output.status.success(),
        "python: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let check = |service: &str| {
        answers
            .iter()
            .find(|a| a["call"] == "Check" && a["service"] == service)
            .cloned()
            .unwrap_or_else(|| panic!("no Check of {service:?}: {answers:?}"))
    };
    assert_eq!(check("")["status"], "SERVING", "degraded still serves");
    assert_eq!(check("readiness")["status"], "SERVING");
    assert_eq!(check("liveness")["status"], "SERVING");
    assert_eq!(check("primary_db")["status"], "SERVING");
    assert_eq!(check("cache")["status"], "NOT_SERVING");
    assert_eq!(check("no_such_check")["code"], "NOT_FOUND");

    let listed = answers.iter().find(|a| a["call"] == "List").expect("a List answer");
    let statuses = listed["statuses"].as_object().unwrap();
    for (service, status) in [
        ("", "SERVING"),
        ("liveness", "SERVING"),
        ("readiness", "SERVING"),
        ("startup", "SERVING"),
        ("primary_db", "SERVING"),
        ("cache", "NOT_SERVING"),
        ("event_loop", "SERVING"),
        ("catalog_warmed", "SERVING"),
    ] {
        assert_eq!(statuses[service], status, "List[{service:?}]: {listed}");
    }

    let watched: Vec<&Value> = answers.iter().filter(|a| a["call"] == "Watch").collect();
    let statuses: Vec<&str> = watched.iter().filter_map(|a| a["status"].as_str()).collect();
    assert_eq!(statuses, ["SERVING", "NOT_SERVING"], "{watched:?}");
    // The stream's end: the server ended it (OK), once the drain was over.
    // "watching" was printed before SIGTERM was sent, so the end comes at
    // least the drain delay after it.
    let end = watched.last().unwrap();
    assert_eq!(end["ended"], "OK", "a clean end, not a broken connection: {watched:?}");
    let after = Duration::from_secs_f64(end["after_watching_s"].as_f64().expect("a time"));
    println!("the Watch stream ended {after:?} after SIGTERM (drain {drain:?}, grace {grace:?})");
    assert!(
        after >= drain,
        "the stream ended {after:?} after SIGTERM, before the {drain:?} drain was over"
    );
    assert!(
        after < drain + grace,
        "the stream ended {after:?} after SIGTERM: it held the shutdown past the grace"
    );
}
