//! The harness end to end, in process: each variant served on loopback,
//! driven by the load generator for a fixed number of requests. Counts and
//! statuses only: no assertion here depends on how fast anything runs.

use std::net::SocketAddr;
use std::time::Duration;

use health_bench::loadgen::{fetch, read_counter, run, Amount, Config, Report, Target};
use health_bench::pings::PING_DEADLINE;
use health_bench::servers::{spawn, Running, STATIC_BODY};
use health_bench::variant::{Variant, READY_PATH};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Serves `variant` with its control listener.
async fn start(variant: Variant) -> (Running, Target) {
    let running = spawn(variant, loopback()).await.expect("variant serves");
    let (control, _serving) = running.control(loopback()).await.expect("control serves");
    let calls = Target {
        addr: control,
        path: "/calls".into(),
    };
    (running, calls)
}

fn config(running: &Running, calls: &Target, requests: u64) -> Config {
    Config {
        target: Target {
            addr: running.addr,
            path: READY_PATH.into(),
        },
        connections: 4,
        amount: Amount::Requests(requests),
        warmup: Duration::ZERO,
        calls: Some(calls.clone()),
        server_pid: Some(std::process::id()),
        request_timeout: None,
    }
}

/// Sends `requests` requests over 4 connections; all of them are answered.
async fn load(running: &Running, calls: &Target, requests: u64) -> Report {
    let report = run(&config(running, calls, requests)).await.unwrap();
    assert_eq!((report.requests, report.errors), (requests, 0), "{}", running.variant);
    report
}

/// Sends requests one by one until one answers 2xx (our background mode
/// answers 503 `starting` until the first results are in).
async fn until_ready(running: &Running, calls: &Target) {
    for _ in 0..10_000 {
        if run(&config(running, calls, 1)).await.unwrap().ok_2xx == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("{} never answered 2xx", running.variant);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_naive_handlers_call_every_dependency_on_every_request() {
    for variant in [Variant::NaiveJoin, Variant::NaiveSeq] {
        let (running, calls) = start(variant).await;
        let report = load(&running, &calls, 20).await;
        assert_eq!(report.ok_2xx, 20, "{variant}");
        assert_eq!(report.calls, Some(60), "{variant}: 3 pings per request");
        assert_eq!(report.calls_per_request(), Some(3.0));
        assert_eq!(running.deadline, Some(PING_DEADLINE));
        assert!(report.server_cpu.is_some() || !cfg!(target_os = "linux"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_static_baselines_answer_200_and_call_nothing() {
    for variant in [Variant::Static, Variant::StaticTimer] {
        let (running, calls) = start(variant).await;
        let report = load(&running, &calls, 20).await;
        assert_eq!((report.ok_2xx, report.calls), (20, Some(0)), "{variant}");
        assert_eq!(running.deadline, None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_endpoints_answer_ready_and_share_the_pings_deadline() {
    for variant in [Variant::Cached, Variant::Background, Variant::BackgroundAxum] {
        let (running, calls) = start(variant).await;
        assert_eq!(
            running.deadline,
            Some(PING_DEADLINE),
            "{variant}: attributes match the naive handlers"
        );
        assert_eq!(running.interval, Some(Duration::from_secs(1)), "{variant}");
        until_ready(&running, &calls).await;
        let report = load(&running, &calls, 50).await;
        assert_eq!(report.ok_2xx, 50, "{variant}");
        let (_, body) = fetch(&config(&running, &calls, 1).target).await.unwrap();
        assert_eq!(
            body, STATIC_BODY,
            "{variant}: the static baseline answers this very body"
        );
        assert!(
            read_counter(&calls).await.unwrap() >= 3,
            "{variant}: every ping ran at least once"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blackholed_probe_answers_503_and_reports_its_deadline() {
    let (running, calls) = start(Variant::Blackhole).await;
    assert_eq!(running.deadline, Some(Duration::from_millis(50)));
    assert_eq!(running.interval, Some(Duration::from_micros(1)));
    let report = load(&running, &calls, 4).await;
    assert_eq!(report.ok_2xx, 0, "503 not_ready");
    assert!(report.calls.unwrap() >= 1, "the hung dependency was called");
}

#[tokio::test]
async fn unknown_control_paths_are_not_counters() {
    let (running, calls) = start(Variant::Static).await;
    let elsewhere = Target {
        path: "/nothing".into(),
        ..calls
    };
    assert!(read_counter(&elsewhere).await.is_err());
    drop(running);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_health_calls_every_dependency_on_every_request() {
    let (running, calls) = start(Variant::PeerAxumHealth).await;
    let report = load(&running, &calls, 20).await;
    assert_eq!(report.ok_2xx, 20);
    assert_eq!(report.calls, Some(60), "3 pings per request");
    assert_eq!(running.deadline, None, "axum-health has no deadline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_crate_answers_from_its_periodic_checkers() {
    let (running, calls) = start(Variant::PeerHealth).await;
    assert_eq!(running.interval, Some(Duration::from_secs(1)));
    until_ready(&running, &calls).await;
    let report = load(&running, &calls, 50).await;
    assert_eq!(report.ok_2xx, 50);
    assert!(read_counter(&calls).await.unwrap() >= 3, "every ping ran at least once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_a_blackhole_axum_health_never_answers_and_the_health_crate_answers_at_once() {
    let (running, calls) = start(Variant::PeerAxumHealthBlackhole).await;
    let config = Config {
        request_timeout: Some(Duration::from_millis(200)),
        ..config(&running, &calls, 2)
    };
    let report = run(&config).await.unwrap();
    assert_eq!((report.requests, report.timeouts), (0, 2), "no answer at all");
    assert!(report.calls.unwrap() >= 1, "the hung dependency was called");

    let (running, calls) = start(Variant::PeerHealthBlackhole).await;
    let report = load(&running, &calls, 4).await;
    assert_eq!(report.timeouts, 0, "answered from the checker's last state");
}
