//! Readiness semantics through HAProxy: instance `b` reaches PostgreSQL
//! through the fault proxy, instance `a` runs on SQLite; neither has Redis,
//! so both answer 200 `degraded` and both stay in rotation. Blackholing
//! `b`'s database fails its critical check (`timeout` after the 2 s
//! deadline): readiness answers 503 `not_ready`, HAProxy takes it out and
//! its share of the traffic moves to `a`. Lifting the fault brings it back.
//!
//! Requests HAProxy routes to `b` before its checks catch up wait on the
//! blackholed database: the figures say what the client sees.
//!
//! Needs the local PostgreSQL (`HEALTH_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`); without it the test fails,
//! naming it.

use std::net::SocketAddr;
use std::time::Duration;

use health_testkit::{Fault, FaultProxy};
use regex::Regex;
use tokio::time::Instant;

use crate::demo::Demo;
use crate::figures::{secs, Figures};
use crate::haproxy::Haproxy;
use crate::load::{get, Call, Load};
use crate::{docs, Scratch};

/// The demo's `primary_db` check: its deadline and its result's lifetime.
const DB_DEADLINE: Duration = Duration::from_secs(2);
const DB_INTERVAL: Duration = Duration::from_secs(2);

/// How long the run waits with `b` out before lifting the fault.
const OUT_FOR: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_takes_out_an_instance_with_a_blackholed_database_and_keeps_a_degraded_one() {
    let (postgres_url, postgres) = postgres().await;
    let proxy = FaultProxy::start(postgres).await.expect("start the fault proxy");
    let scratch = Scratch::new();
    let through_proxy = postgres_url.replacen(&postgres.to_string(), &proxy.addr().to_string(), 1);
    let a = Demo::start(scratch.path(), "a", &[]).await;
    let b = Demo::start(scratch.path(), "b", &[("DATABASE_URL", through_proxy)]).await;
    let lb = Haproxy::start(scratch.path(), [a.addr, b.addr]).await;
    for demo in [&a, &b] {
        let (status, body) = get(demo.addr, "/health/ready").await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(r#""status":"degraded""#), "no Redis: degraded, {body}");
    }

    let load = Load::start(lb.addr, &[Call::ListOrders]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let requests_before = [lb.latest("app1").requests, lb.latest("app2").requests];
    assert!(
        requests_before.iter().all(|&n| n > 0),
        "both degraded instances are in rotation and get traffic: {requests_before:?}"
    );

    let cut = Instant::now();
    proxy.set(Fault::Blackhole).await;
    let out = lb
        .wait_until("app2", "out of rotation", Duration::from_secs(60), |s| !s.in_rotation())
        .await;
    tokio::time::sleep(OUT_FOR).await;
    let lifted = Instant::now();
    proxy.set(Fault::PassThrough).await;
    let back = lb
        .wait_until("app2", "back in rotation", Duration::from_secs(60), |s| s.in_rotation())
        .await;
    let requests_back = lb.latest("app2").requests;
    let resumed = lb
        .wait_until("app2", "receiving requests again", Duration::from_secs(30), |s| {
            s.requests > requests_back
        })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let outcomes = load.stop().await;

    let config = &lb.config;
    let inter = docs::duration(config, "inter");
    let fall = docs::count(config, "fall");
    let expected = inter * fall + DB_DEADLINE + DB_INTERVAL;
    let last_to_b = lb.traffic_stopped("app2", cut, lifted).expect("samples of app2");
    let before_out = outcomes.sent_between(cut, out);
    let while_out = outcomes.sent_between(out, lifted);

    let mut figures = Figures::new("haproxy-readiness-blackhole");
    figures.add("requests sent", outcomes.len());
    figures.add("requests failed", outcomes.failed().count());
    figures.add(
        "blackhole → b out of rotation",
        format!(
            "{} (inter × fall + deadline + result lifetime = {})",
            secs(out - cut),
            secs(expected)
        ),
    );
    figures.add("blackhole → last request routed to b", secs(last_to_b - cut));
    figures.add(
        "sent before b was out: sent / failed",
        format!("{} / {}", before_out.len(), before_out.failed().count()),
    );
    figures.add("sent before b was out: failures", before_out.failures());
    figures.add("sent before b was out: slowest", secs(before_out.slowest()));
    figures.add(
        "sent while b was out (all to a): sent / failed",
        format!("{} / {}", while_out.len(), while_out.failed().count()),
    );
    figures.add("fault lifted → b back in rotation", secs(back - lifted));
    figures.add("fault lifted → traffic reaches b again", secs(resumed - lifted));
    figures.add(
        "a (degraded) left rotation",
        !lb.always("app1", cut, lifted, |s| s.in_rotation()),
    );
    figures.publish();

    assert!(
        lb.always("app1", cut, lifted, |s| s.in_rotation()),
        "a degraded instance stays in rotation"
    );
    assert!(
        out - cut < expected + Duration::from_secs(15),
        "b left rotation {:?} after the blackhole (expected about {expected:?})",
        out - cut
    );
    assert!(while_out.len() > 0, "requests were sent while b was out");
    assert_eq!(
        while_out.failed().count(),
        0,
        "once b is out, a serves everything: {}",
        while_out.failures()
    );
}

/// The local PostgreSQL's URL and address; panics naming it when nothing
/// listens there.
async fn postgres() -> (String, SocketAddr) {
    const VAR: &str = "HEALTH_TEST_POSTGRES_URL";
    let url = std::env::var(VAR).unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let authority = Regex::new(r"^[a-z]+://(?:[^@/]*@)?([^/]+)").unwrap();
    let addr: SocketAddr = authority
        .captures(&url)
        .and_then(|found| found[1].parse().ok())
        .unwrap_or_else(|| panic!("{VAR}={url:?}: the tests need a numeric host:port in the URL"));
    if let Err(e) = tokio::net::TcpStream::connect(addr).await {
        panic!("PostgreSQL is not reachable at {url} ({e}): start it (`bash scripts/services.sh up` does), or point {VAR} at one");
    }
    (url, addr)
}
