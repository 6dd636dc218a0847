//! A rolling restart behind HAProxy under a steady stream of `GET /orders`:
//! each instance in turn gets SIGTERM, exits, and is started again; the
//! second only once the first is back in rotation.
//!
//! With the documented drain (`inter` × `fall`), the instance keeps
//! serving until HAProxy's checks have taken it out, and no request fails.
//! The control runs the same restart with no drain: the instance closes
//! its listener at once, HAProxy keeps routing to it until `fall` checks
//! failed, and those requests fail. If the control lost nothing the test
//! would measure nothing, so that fails too.
//!
//! HAProxy retries a refused connection `retries` times (default 3), one
//! second apart, on the same server (no `option redispatch` in the doc): a
//! replacement listening on the same address within those 3 s would answer
//! the retries and hide the missing drain. A replacement rarely does in
//! production (a rescheduled container gets a new address; a deploy takes
//! seconds), so each replacement here starts [`REPLACEMENT_STARTS_AFTER`]
//! the old process exited, in both runs.

use std::time::Duration;

use tokio::time::Instant;

use crate::demo::Demo;
use crate::figures::{secs, Figures};
use crate::haproxy::{self, Haproxy, SERVERS};
use crate::load::{Call, Load, Outcomes};
use crate::{docs, Scratch};

/// How long after the old process exited its replacement starts.
const REPLACEMENT_STARTS_AFTER: Duration = Duration::from_secs(4);

/// The generous bound on every wait of the run.
const GENEROUS: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_rolling_restart_with_the_documented_drain_loses_no_request() {
    let drain = haproxy::documented_drain();
    let outcomes = rolling_restart("haproxy-rolling-restart-drain", drain).await;
    assert_eq!(
        outcomes.failed().count(),
        0,
        "with a drain of {drain:?}, requests failed: {}",
        outcomes.failures()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_rolling_restart_without_drain_loses_requests() {
    let outcomes = rolling_restart("haproxy-rolling-restart-no-drain", Duration::ZERO).await;
    assert!(
        outcomes.failed().count() > 0,
        "the control (the same rolling restart without drain) lost no request out of {}: \
         the drain test next to it measures nothing",
        outcomes.len()
    );
}

/// Runs the rolling restart with instances draining for `drain`; returns
/// what the load saw.
async fn rolling_restart(scenario: &'static str, drain: Duration) -> Outcomes {
    let scratch = Scratch::new();
    let env = [("DRAIN_SECS", drain.as_secs_f64().to_string())];
    let mut demos = [
        Demo::start(scratch.path(), "a", &env).await,
        Demo::start(scratch.path(), "b", &env).await,
    ];
    let lb = Haproxy::start(scratch.path(), [demos[0].addr, demos[1].addr]).await;
    let mut figures = Figures::new(scenario);
    figures.add("drain (DRAIN_SECS)", secs(drain));
    figures.add(
        "HAProxy checks",
        format!(
            "inter {} fall {} rise {}",
            docs::setting(&lb.config, "inter"),
            docs::setting(&lb.config, "fall"),
            docs::setting(&lb.config, "rise"),
        ),
    );

    let load = Load::start(lb.addr, &[Call::ListOrders]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (demo, server) in demos.iter_mut().zip(SERVERS) {
        let stopped = Instant::now();
        let (out, exited) = tokio::join!(
            lb.wait_until(server, "out of rotation", GENEROUS, |s| !s.in_rotation()),
            demo.stop()
        );
        figures.add(format!("{server}: SIGTERM → out of rotation"), secs(out - stopped));
        figures.add(format!("{server}: SIGTERM → process exited"), secs(exited - stopped));
        tokio::time::sleep(REPLACEMENT_STARTS_AFTER).await;
        let started = Instant::now();
        demo.start_again().await;
        let back = lb
            .wait_until(server, "back in rotation", GENEROUS, |s| s.in_rotation())
            .await;
        figures.add(
            format!("{server}: replacement started → back in rotation"),
            secs(back - started),
        );
        let requests_then = lb.latest(server).requests;
        lb.wait_until(server, "receiving requests again", GENEROUS, |s| {
            s.requests > requests_then
        })
        .await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let outcomes = load.stop().await;

    figures.add("requests sent", outcomes.len());
    figures.add("requests failed", outcomes.failed().count());
    figures.add("failures", outcomes.failures());
    figures.add("slowest request", secs(outcomes.slowest()));
    for server in SERVERS {
        let stat = lb.latest(server);
        figures.add(
            format!("{server}: HAProxy connection errors / retries"),
            format!("{} / {}", stat.connect_errors, stat.retries),
        );
    }
    figures.publish();
    outcomes
}
