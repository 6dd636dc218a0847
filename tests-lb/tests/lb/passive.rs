//! Open-source nginx, passive checks only: under a steady stream of
//! `GET /orders` and `POST /orders`, instance `a` stops (SIGTERM, no drain:
//! nginx never asks readiness, so a drain changes nothing for it), stays
//! down for a while, and starts again.
//!
//! nginx learns that `a` is gone from the requests it sends there: each
//! refused connection is retried on `b` (`proxy_next_upstream error`),
//! and after `max_fails` of them `a` is left alone for `fail_timeout`,
//! then tried again with a live request. The access log says which
//! upstreams each request tried.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::demo::Demo;
use crate::figures::{secs, Figures};
use crate::load::{Call, Load};
use crate::nginx::{wall_clock, Logged, Nginx};
use crate::{docs, Scratch};

/// How long `a` stays down.
const DOWN_FOR: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_fails_a_stopped_instance_over_to_the_other() {
    let scratch = Scratch::new();
    let env = [("DRAIN_SECS", "0".to_owned())];
    let mut a = Demo::start(scratch.path(), "a", &env).await;
    let b = Demo::start(scratch.path(), "b", &env).await;
    let lb = Nginx::start(scratch.path(), [a.addr, b.addr]).await;

    let load = Load::start(lb.addr, &[Call::ListOrders, Call::CreateOrder]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stopped = Instant::now();
    a.stop().await;
    tokio::time::sleep(DOWN_FOR).await;
    let restarted = Instant::now();
    a.start_again().await;
    let deadline = restarted + Duration::from_secs(30);
    let rejoined = loop {
        let served = lb
            .log()
            .into_iter()
            .find(|entry| entry.at >= wall_clock(restarted) && entry.served_by(a.addr));
        if let Some(entry) = served {
            break entry.at;
        }
        assert!(
            Instant::now() < deadline,
            "nginx sent `a` no request in the 30 s after it restarted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let outcomes = load.stop().await;

    let log = lb.log();
    let while_down: Vec<&Logged> = log
        .iter()
        .filter(|entry| (wall_clock(stopped)..wall_clock(restarted)).contains(&entry.at))
        .collect();
    let refused_by_a: Vec<&Logged> = while_down
        .iter()
        .copied()
        .filter(|entry| entry.failed_on(a.addr))
        .collect();
    let answered_by_b = refused_by_a.iter().filter(|entry| entry.served_by(b.addr)).count();
    let gets = outcomes.of(Call::ListOrders);
    let posts = outcomes.of(Call::CreateOrder);
    let since = |from: Instant, at: SystemTime| at.duration_since(wall_clock(from)).unwrap_or_default();

    let mut figures = Figures::new("nginx-passive-stop");
    figures.add(
        "nginx upstream settings",
        format!(
            "max_fails={} fail_timeout={}",
            docs::setting(&lb.config, "max_fails"),
            docs::setting(&lb.config, "fail_timeout")
        ),
    );
    figures.add("a down for", secs(DOWN_FOR));
    figures.add(
        "GET: sent / failed",
        format!("{} / {} ({})", gets.len(), gets.failed().count(), gets.failures()),
    );
    figures.add(
        "POST: sent / failed",
        format!("{} / {} ({})", posts.len(), posts.failed().count(), posts.failures()),
    );
    figures.add("requests while a was down", while_down.len());
    figures.add(
        "… that nginx sent to the stopped a / then answered by b",
        format!("{} / {answered_by_b}", refused_by_a.len()),
    );
    figures.add(
        "a restarted → first request served by a",
        secs(since(restarted, rejoined)),
    );
    figures.publish();

    assert!(
        !refused_by_a.is_empty(),
        "nginx never sent a request to the stopped instance: the test measured nothing"
    );
    assert_eq!(
        gets.failed().count(),
        0,
        "a refused GET is retried on the other server: {}",
        gets.failures()
    );
    // docs/load-balancers.md says "no request failed, POST included": a
    // refused connection never carried the request, so nginx may resend it.
    assert_ne!(
        posts.len(),
        0,
        "the load sent POSTs: the test measured nothing for them"
    );
    assert_eq!(
        posts.failed().count(),
        0,
        "a POST refused at connect is retried on the other server: {}",
        posts.failures()
    );
}
