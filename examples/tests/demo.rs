//! The demo service started as a process and driven over HTTP: start-up,
//! degraded without Redis, ready with Redis, not ready when its PostgreSQL
//! is cut through the fault proxy, the deep endpoint's access, SIGTERM
//! draining, and the generated Kubernetes probes.
//!
//! Needs the local PostgreSQL and Redis (see the README's "Environment for
//! integration tests"); without them these tests fail, naming the server.

use std::process::Command;
use std::time::{Duration, Instant};

use health_testkit::{Fault, FaultProxy};
use serde::Deserialize as _;

mod support;

use support::*;

#[tokio::test]
async fn starts_as_starting_then_serves_degraded_without_redis() {
    let demo = Demo::start(&[("WARMUP_SECS", "3")]).await;
    let startup = demo.get("/health/startup").await;
    assert_eq!(
        (startup.status, startup.json()["status"].as_str()),
        (503, Some("starting"))
    );
    let ready = demo.get("/health/ready").await;
    assert_eq!((ready.status, ready.json()["status"].as_str()), (503, Some("starting")));
    assert_eq!(demo.get("/health/live").await.status, 200, "starting is alive");

    demo.wait_for("/health/startup", GENEROUS, |r| r.status == 200).await;
    let ready = demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;
    assert_eq!(ready.json()["status"], "degraded");
    assert_eq!(ready.json()["critical"]["primary_db"]["status"], "pass");
    assert_eq!(ready.json()["degraded"]["cache"]["status"], "fail");
    let status = demo.get("/status").await;
    assert_eq!(
        (status.status, status.json()["status"].as_str()),
        (200, Some("degraded"))
    );
}

#[tokio::test]
async fn ready_with_redis() {
    let (url, _) = required_server("Redis", "HEALTH_TEST_REDIS_URL", "redis://127.0.0.1:6379").await;
    let demo = Demo::start(&[("REDIS_URL", &url)]).await;
    let ready = demo
        .wait_for("/health/ready", GENEROUS, |r| {
            r.status == 200 && r.json()["status"] == "ready"
        })
        .await;
    assert_eq!(ready.json()["degraded"]["cache"]["status"], "pass");
}

#[tokio::test]
async fn not_ready_while_postgres_is_cut_probes_answer_without_waiting_and_back_when_restored() {
    let default = "postgres://postgres@127.0.0.1:5432/test";
    let (postgres, addr) = required_server("PostgreSQL", "HEALTH_TEST_POSTGRES_URL", default).await;
    let proxy = FaultProxy::start(addr).await.unwrap();
    // The same database, reached through the proxy.
    let url = postgres.replacen(authority(&postgres), &proxy.addr().to_string(), 1);
    let demo = Demo::start(&[("DATABASE_URL", &url)]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;

    // Blackholed: every run of the critical check now takes its whole
    // deadline (2 s) and fails with reason timeout.
    proxy.set(Fault::Blackhole).await;
    let cut = demo.wait_for("/health/ready", GENEROUS, |r| r.status == 503).await;
    assert_eq!(cut.json()["status"], "not_ready");
    let primary_db =
        || async { get(demo.admin_port, "/health/deep", &[]).await.json()["checks"]["primary_db"].clone() };
    assert_eq!(
        cut.json()["critical"]["primary_db"]["reason"],
        "timeout",
        "{}",
        primary_db().await
    );

    // The demo's checks run in background mode (one run after another here:
    // the 2 s interval is counted from each run's start), so a probe answers
    // from the stored results and never waits on a run. Probe back to back
    // for longer than the check's deadline and interval together: a probe
    // that waited on a run (as one on demand would, once the result is
    // older than the interval) would take up to the whole run.
    let runs_before = primary_db().await["consecutive_failures"].as_u64().unwrap();
    let window = Duration::from_secs(2 + 2 + 1);
    let probing = Instant::now();
    let (mut probes, mut slowest) = (0, Duration::ZERO);
    while probing.elapsed() < window {
        let timed = Instant::now();
        let answer = demo.get("/health/ready").await;
        slowest = slowest.max(timed.elapsed());
        probes += 1;
        assert_eq!(answer.status, 503, "{}", answer.body);
        assert_eq!(answer.json()["critical"]["primary_db"]["reason"], "timeout");
    }
    // Compared with a run of the check: each took its whole deadline.
    let db = primary_db().await;
    let run = Duration::from_secs_f64(db["latency_ms"].as_f64().expect("the latest run's latency") / 1000.0);
    println!("{probes} probes while blackholed, the slowest {slowest:?}; the latest run {run:?}");
    assert!(
        slowest < run / 2,
        "the slowest of {probes} probes took {slowest:?}, a run {run:?}: a probe waited on a run"
    );
    // Meanwhile the check kept running on its own: at least one whole run
    // (start to end) fell within the probing.
    let runs = db["consecutive_failures"].as_u64().unwrap() - runs_before;
    assert!(runs >= 2, "{runs} run(s) ended while probing for {window:?}: {db}");
    assert_eq!(
        demo.get("/health/live").await.status,
        200,
        "a dependency never restarts the container"
    );

    // Refused: fails with reason error.
    proxy.set(Fault::Refuse).await;
    let refused = demo
        .wait_for("/health/ready", GENEROUS, |r| {
            r.json()["critical"]["primary_db"]["reason"] == "error"
        })
        .await;
    assert_eq!(refused.status, 503);

    // Restored: the pool recovers on its own.
    proxy.set(Fault::PassThrough).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;
}

#[tokio::test]
async fn the_deep_endpoint_is_on_the_admin_listener_or_behind_the_token() {
    let token = "demo-token-0123456789abcdef";
    let demo = Demo::start(&[("HEALTH_TOKEN", token)]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;

    let public = demo.get("/health/deep").await;
    assert_eq!(public.status, 401);
    assert!(!public.body.contains("primary_db"));
    let bearer = format!("Bearer {token}");
    let with_token = get(demo.port, "/health/deep", &[("Authorization", &bearer)]).await;
    assert_eq!(with_token.status, 200);
    assert!(with_token.json()["checks"]["primary_db"]["details"]["server_version"].is_string());

    let admin = get(demo.admin_port, "/health/deep", &[]).await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.json()["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn sigterm_flips_readiness_keeps_liveness_then_exits() {
    let mut demo = Demo::start(&[]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.status == 200).await;

    let sent = Command::new("kill")
        .args(["-TERM", &demo.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let draining = demo
        .wait_for("/health/ready", Duration::from_secs(2), |r| r.status == 503)
        .await;
    assert_eq!(draining.json()["status"], "shutting_down");
    assert_eq!(
        demo.get("/health/live").await.status,
        200,
        "liveness stays 200 while draining"
    );

    let exit = within(Duration::from_secs(10), "the demo's exit after the 2 s drain", async {
        loop {
            if let Some(status) = demo.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn printed_kubernetes_probes_cover_the_deadlines_and_match_the_manifest() {
    let generated = printed_probes(&[]);
    let container = &generated["containers"][0];

    // The demo's deadlines: primary_db 2 s (readiness), event_loop 100 ms
    // (liveness), catalog_warmed 100 ms (startup); drain 5 s. Its checks run
    // in the background, so a probe answers at once: 1 s is above any answer.
    let seconds = |probe: &str, key: &str| container[probe][key].as_u64().unwrap();
    assert_eq!(seconds("readinessProbe", "timeoutSeconds"), 1);
    assert!(seconds("livenessProbe", "timeoutSeconds") >= 1);
    assert_eq!(seconds("livenessProbe", "successThreshold"), 1);
    assert_eq!(seconds("startupProbe", "successThreshold"), 1);
    assert!(seconds("startupProbe", "periodSeconds") * seconds("startupProbe", "failureThreshold") >= 3 + 30);
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert!(
            seconds(probe, "timeoutSeconds") <= seconds(probe, "periodSeconds"),
            "{probe}"
        );
    }
    let grace = generated["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(
        grace >= 5 + 2,
        "covers the drain delay and the slowest readiness answer"
    );

    assert_matches_manifest(&generated, "deployment.yaml");
}

#[test]
fn printed_grpc_probes_match_the_grpc_manifest() {
    let generated = printed_probes(&["--grpc"]);
    let readiness = &generated["containers"][0]["readinessProbe"];
    assert_eq!(readiness["grpc"]["port"], 50051);
    assert_eq!(readiness["grpc"]["service"], "readiness");
    assert_matches_manifest(&generated, "deployment-grpc.yaml");
}

/// What `demo --print-k8s-probes <args>` prints with the default settings;
/// fails on any warning.
fn printed_probes(args: &[&str]) -> serde_yaml::Value {
    let printed = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("--print-k8s-probes")
        .args(args)
        .env_remove("DRAIN_SECS")
        .env_remove("WARMUP_SECS")
        .env_remove("PORT")
        .env_remove("GRPC_PORT")
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert!(
        printed.stderr.is_empty(),
        "no warnings: {}",
        String::from_utf8_lossy(&printed.stderr)
    );
    serde_yaml::from_slice(&printed.stdout).expect("valid YAML")
}

/// The Deployment in `examples/kubernetes/<file>` carries exactly the
/// printed probes and grace period.
fn assert_matches_manifest(generated: &serde_yaml::Value, file: &str) {
    let manifest_path = format!("{}/kubernetes/{file}", env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let deployment = serde_yaml::Deserializer::from_str(&manifest)
        .map(|doc| serde_yaml::Value::deserialize(doc).unwrap())
        .find(|doc| doc["kind"] == "Deployment")
        .expect("a Deployment in the manifest");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(
        pod["terminationGracePeriodSeconds"], generated["terminationGracePeriodSeconds"],
        "{file}"
    );
    let container = &generated["containers"][0];
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert_eq!(
            pod["containers"][0][probe], container[probe],
            "{file}: {probe} drifted from --print-k8s-probes"
        );
    }
}
