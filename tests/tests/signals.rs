//! Termination signals, in a process of their own (tests/bin/health_child.rs):
//! a second SIGTERM during the drain ends the process at once (and a first
//! one during a drain the application began joins it);
//! `handle_signals(false)` leaves SIGTERM to the application; an entry point
//! polled and dropped leaves SIGTERM able to end the process.

mod child;

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use child::{http_status, HealthChild};

/// What an exit on SIGTERM looks like: 143, as shells report a process
/// killed by it.
fn ended_by_sigterm(status: std::process::ExitStatus) -> bool {
    status.code() == Some(143) || status.signal() == Some(15)
}

#[test]
fn a_second_sigterm_during_the_drain_ends_the_process_within_a_second() {
    // A drain of 60 s: only the second signal can end it in time.
    let mut child = HealthChild::start(&["--drain-ms=60000"]);
    assert_eq!(http_status(child.http, "/health/ready"), 200);
    child.terminate();
    // The drain has begun: readiness answers shutting_down, the process lives on.
    let began = Instant::now();
    while http_status(child.http, "/health/ready") != 503 {
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "the first SIGTERM began no drain"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        http_status(child.http, "/health/live"),
        200,
        "still alive while draining"
    );
    assert!(
        child.exited_within(Duration::from_millis(300)).is_none(),
        "the drain is on"
    );

    let second = Instant::now();
    child.terminate();
    let status = child
        .exited_within(Duration::from_secs(1))
        .expect("the second SIGTERM ends the process within 1 s");
    assert!(ended_by_sigterm(status), "{status:?}, {:?}", second.elapsed());
    assert_eq!(status.code(), Some(143), "exit code 128 + SIGTERM");
}

#[test]
fn a_sigterm_during_a_drain_the_application_began_joins_it_and_the_next_exits() {
    let mut child = HealthChild::start(&["--begin-shutdown", "--drain-ms=60000"]);
    assert_eq!(http_status(child.http, "/health/ready"), 503, "shutting_down");
    // Like a preStop hook's shutdown followed by the kubelet's SIGTERM.
    child.terminate();
    assert!(
        child.exited_within(Duration::from_millis(500)).is_none(),
        "the first SIGTERM joins the drain"
    );
    assert_eq!(http_status(child.http, "/health/live"), 200);
    child.terminate();
    let status = child
        .exited_within(Duration::from_secs(1))
        .expect("the second SIGTERM ends the process within 1 s");
    assert_eq!(status.code(), Some(143), "{status:?}");
}

#[test]
fn without_signal_handling_sigterm_is_the_applications() {
    let mut child = HealthChild::start(&["--no-signals", "--drain-ms=100"]);
    child.terminate();
    child.expect_line("application got SIGTERM");
    // Neither readiness nor the process moved: shutdown is the application's call.
    assert_eq!(http_status(child.http, "/health/ready"), 200);
    child.terminate();
    child.expect_line("application got SIGTERM");
    assert_eq!(http_status(child.http, "/health/ready"), 200);
    assert!(
        child.exited_within(Duration::from_millis(200)).is_none(),
        "still running"
    );
}

#[test]
fn an_entry_point_polled_then_dropped_leaves_sigterm_ending_the_process() {
    // gRPC server, HTTP listener and shutdown_signal each polled, then dropped.
    let mut child = HealthChild::start(&["--dropped"]);
    child.terminate();
    let status = child
        .exited_within(Duration::from_secs(1))
        .expect("SIGTERM still ends the process");
    assert!(ended_by_sigterm(status), "{status:?}");
}
