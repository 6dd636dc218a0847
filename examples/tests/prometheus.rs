//! A real Prometheus scraping the demo's `/metrics` every second, asked
//! through its HTTP query API: the checks' states, the readiness answer
//! after the database is blackholed (within scrape interval + check
//! interval + deadline), and the shipped alert rules
//! (`examples/prometheus/alerts.yml`): `promtool` checks and unit-tests
//! them, and their expressions return the series that would fire.
//!
//! Needs the Debian package `prometheus` (`scripts/test.sh` installs it when
//! missing) and the local PostgreSQL; without them this fails, naming them.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use health_testkit::{Fault, FaultProxy};
use serde_json::Value;
use support::*;

/// The shipped Prometheus files.
const PROMETHEUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/prometheus");

/// How often the test's Prometheus scrapes and evaluates rules.
const SCRAPE_INTERVAL: Duration = Duration::from_secs(1);
/// The demo's `primary_db`: checked every 2 s under a 2 s deadline.
const CHECK_INTERVAL: Duration = Duration::from_secs(2);
const CHECK_DEADLINE: Duration = Duration::from_secs(2);

/// A binary of the `prometheus` package; fails loudly when it is missing.
fn prometheus_binary(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` not found: install the Debian package prometheus (`bash scripts/test.sh` does)")
        })
}

/// Runs `promtool` with `args` in the shipped directory; fails with its output.
fn promtool(args: &[&str]) {
    let output = Command::new(prometheus_binary("promtool"))
        .args(args)
        .current_dir(PROMETHEUS_DIR)
        .output()
        .expect("run promtool");
    assert!(
        output.status.success(),
        "promtool {args:?}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A throwaway Prometheus on a free loopback port, killed when dropped.
struct Prometheus {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Prometheus {
    /// Starts Prometheus scraping `target` with the shipped alert rules,
    /// and waits until it is ready.
    async fn start(target: u16) -> Prometheus {
        let dir = TempDir::new();
        let config = dir.0.join("prometheus.yml");
        let rules = Path::new(PROMETHEUS_DIR).join("alerts.yml");
        let interval = format!("{}s", SCRAPE_INTERVAL.as_secs());
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\n\
                 rule_files:\n  - {}\n\
                 scrape_configs:\n  - job_name: health-demo\n    static_configs:\n      - targets: [\"127.0.0.1:{target}\"]\n",
                rules.display()
            ),
        )
        .unwrap();
        let port = free_port();
        let child = Command::new(prometheus_binary("prometheus"))
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.0.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus");
        let mut prometheus = Prometheus { child, port, _dir: dir };
        let started = Instant::now();
        loop {
            let listening = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok();
            if listening && get(port, "/-/ready", &[]).await.status == 200 {
                return prometheus;
            }
            if let Some(exit) = prometheus.child.try_wait().unwrap() {
                panic!("Prometheus exited ({exit}) instead of serving on port {port}");
            }
            assert!(
                started.elapsed() < GENEROUS,
                "Prometheus did not get ready on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The instant vector `promql` evaluates to: each series' labels and value.
    async fn query(&self, promql: &str) -> Vec<(BTreeMap<String, String>, f64)> {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("query", promql)
            .finish();
        let reply = get(self.port, &format!("/api/v1/query?{query}"), &[]).await;
        let body = reply.json();
        assert_eq!(body["status"], "success", "{promql}: {}", reply.body);
        body["data"]["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{promql}: not a vector: {}", reply.body))
            .iter()
            .map(|series| {
                let labels = series["metric"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect();
                let value = series["value"][1]
                    .as_str()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
                (labels, value)
            })
            .collect()
    }

    /// The value of the single series `promql` returns, once there is one.
    async fn value(&self, promql: &str) -> Option<f64> {
        match self.query(promql).await.as_slice() {
            [(_, value)] => Some(*value),
            _ => None,
        }
    }

    /// Polls `promql` until its single series has `expected`; returns how long it took.
    async fn wait_for(&self, promql: &str, expected: f64, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let value = self.value(promql).await;
            if value == Some(expected) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "{promql} is {value:?}, not {expected}, after {within:?}: {:?}",
                self.query(promql).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_shipped_rules_and_config_pass_promtool() {
    promtool(&["check", "rules", "alerts.yml"]);
    promtool(&["test", "rules", "alerts.test.yml"]);
    promtool(&["check", "config", "prometheus.yml"]);
}

#[tokio::test]
async fn prometheus_sees_the_checks_the_readiness_answer_and_the_alerts() {
    let default = "postgres://postgres@127.0.0.1:5432/test";
    let (postgres, addr) = required_server("PostgreSQL", "HEALTH_TEST_POSTGRES_URL", default).await;
    let proxy = FaultProxy::start(addr).await.unwrap();
    let url = postgres.replacen(authority(&postgres), &proxy.addr().to_string(), 1);
    // No REDIS_URL: the cache check fails, so the demo is degraded.
    let demo = Demo::start(&[("DATABASE_URL", &url), ("WARMUP_SECS", "1")]).await;
    demo.wait_for("/health/ready", GENEROUS, |r| r.json()["status"] == "degraded")
        .await;
    let metrics = get(demo.admin_port, "/metrics", &[]).await;
    assert!(
        metrics
            .body
            .contains("health_check_up{check=\"primary_db\",critical=\"true\"} 1"),
        "{}",
        metrics.body
    );

    let prometheus = Prometheus::start(demo.admin_port).await;
    prometheus
        .wait_for(r#"health_check_up{check="primary_db"}"#, 1.0, GENEROUS)
        .await;
    prometheus
        .wait_for(r#"health_check_up{check="cache"}"#, 0.0, GENEROUS)
        .await;
    prometheus
        .wait_for(
            r#"health_probe_status{probe="readiness",status="degraded"}"#,
            1.0,
            GENEROUS,
        )
        .await;

    // The degraded rule's expression returns this instance; its alert is
    // pending (it fires after 10 minutes, as promtool's unit test shows).
    let degraded = prometheus
        .query(r#"health_probe_status{probe="readiness", status="degraded"} == 1"#)
        .await;
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert_eq!(degraded[0].0["job"], "health-demo");
    prometheus
        .wait_for(
            r#"ALERTS{alertname="InstanceDegraded", alertstate="pending"}"#,
            1.0,
            GENEROUS,
        )
        .await;
    assert!(prometheus
        .query(r#"health_check_up{critical="true"} == 0"#)
        .await
        .is_empty());

    // The README's p99 latency query answers per check (once two scrapes
    // give `rate` something to work with).
    let p99 = "histogram_quantile(0.99, sum by (check, le) (rate(health_check_duration_seconds_bucket[1m])))";
    let started = Instant::now();
    loop {
        let answer = prometheus.query(p99).await;
        if answer
            .iter()
            .any(|(labels, value)| labels["check"] == "primary_db" && value.is_finite())
        {
            break;
        }
        assert!(started.elapsed() < GENEROUS, "{p99}: {answer:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Blackhole the database: the critical check times out, readiness turns
    // not_ready, and Prometheus sees it within scrape + interval + deadline.
    proxy.set(Fault::Blackhole).await;
    let bound = SCRAPE_INTERVAL + CHECK_INTERVAL + CHECK_DEADLINE;
    let seen = prometheus
        .wait_for(
            r#"health_probe_status{probe="readiness",status="not_ready"}"#,
            1.0,
            GENEROUS,
        )
        .await;
    println!("not_ready seen by Prometheus {seen:?} after the blackhole (bound {bound:?})");
    // The bound plus what a loaded 2-core machine adds to a poll loop.
    assert!(seen <= bound + Duration::from_secs(2), "{seen:?} > {bound:?}");
    let down = prometheus.query(r#"health_check_up{critical="true"} == 0"#).await;
    assert_eq!(down.len(), 1, "{down:?}");
    assert_eq!(down[0].0["check"], "primary_db");
    prometheus
        .wait_for(
            r#"ALERTS{alertname="CriticalHealthCheckDown", alertstate="pending"}"#,
            1.0,
            GENEROUS,
        )
        .await;
    let reasons: Value = get(demo.admin_port, "/health/deep", &[]).await.json();
    assert_eq!(reasons["checks"]["primary_db"]["reason"], "timeout");
}
