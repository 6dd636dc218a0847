//! What a registry records through the `metrics` facade (feature
//! `metrics`), read back from metrics-util's debugging recorder: names,
//! labels and values as the design document lists them, recorded on runs
//! and transitions, never on probes that only read.

use std::time::Duration;

use health_core::prelude::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};

use tests::Dependency;

#[derive(Default)]
struct Shop {
    db: Dependency,
}

#[health_check(critical, interval = "1s")]
async fn db(state: &Shop) -> Result<(), String> {
    state.db.call()
}

#[health_check(timeout = "50ms")]
async fn search(_state: &Shop) -> bool {
    tokio::time::sleep(Duration::from_secs(1)).await;
    true
}

/// One snapshot of the debugging recorder. Taking it resets counters and
/// gauges to zero, so each holds what happened since the previous one.
struct Recorded(Vec<(metrics_util::CompositeKey, DebugValue)>);

impl Recorded {
    fn take(snapshotter: &Snapshotter) -> Recorded {
        Recorded(
            snapshotter
                .snapshot()
                .into_vec()
                .into_iter()
                .map(|(key, _, _, value)| (key, value))
                .collect(),
        )
    }

    /// The value of one metric with exactly these labels.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<&DebugValue> {
        self.0.iter().find_map(|(key, value)| {
            let key = key.key();
            let matches = key.name() == name
                && key.labels().count() == labels.len()
                && labels
                    .iter()
                    .all(|(k, v)| key.labels().any(|l| l.key() == *k && l.value() == *v));
            matches.then_some(value)
        })
    }

    fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        match self.value(name, labels) {
            Some(DebugValue::Counter(n)) => *n,
            other => panic!("{name}{labels:?}: {other:?}"),
        }
    }

    fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        match self.value(name, labels) {
            Some(DebugValue::Gauge(g)) => g.into_inner(),
            other => panic!("{name}{labels:?}: {other:?}"),
        }
    }

    fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> usize {
        match self.value(name, labels) {
            Some(DebugValue::Histogram(values)) => values.len(),
            other => panic!("{name}{labels:?}: {other:?}"),
        }
    }
}

const DB: &[(&str, &str)] = &[("check", "db"), ("critical", "true")];

#[tokio::test(start_paused = true)]
async fn runs_states_and_probe_answers_are_recorded_with_bounded_labels() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    // Handles are registered when the registry is built, with the recorder
    // installed then.
    let health = metrics::with_local_recorder(&recorder, || Health::builder(Shop::default()).build().unwrap());
    let built = Recorded::take(&snapshotter);
    assert_eq!(built.gauge("health_check_up", DB), 0.0);
    assert_eq!(
        built.gauge("health_probe_status", &[("probe", "readiness"), ("status", "starting")]),
        1.0
    );
    assert_eq!(
        built.gauge("health_probe_status", &[("probe", "liveness"), ("status", "alive")]),
        1.0
    );

    health.readiness().await;
    let first = Recorded::take(&snapshotter);
    assert_eq!(first.gauge("health_check_up", DB), 1.0);
    assert_eq!(
        first.counter("health_check_runs_total", &[("check", "db"), ("outcome", "pass")]),
        1
    );
    assert_eq!(
        first.counter(
            "health_check_runs_total",
            &[("check", "search"), ("outcome", "timeout")]
        ),
        1
    );
    assert_eq!(
        first.counter("health_check_transitions_total", &[("check", "db"), ("to", "pass")]),
        1
    );
    assert_eq!(
        first.counter("health_check_transitions_total", &[("check", "search"), ("to", "fail")]),
        1
    );
    assert!(first.gauge("health_check_last_success_timestamp_seconds", &[("check", "db")]) > 1.7e9);
    assert_eq!(first.histogram("health_check_duration_seconds", &[("check", "db")]), 1);
    let degraded = &[("probe", "readiness"), ("status", "degraded")];
    assert_eq!(first.gauge("health_probe_status", degraded), 1.0);

    // Probes within the interval only read: nothing is recorded.
    for _ in 0..10 {
        health.readiness().await;
    }
    let reads = Recorded::take(&snapshotter);
    assert_eq!(
        reads.counter("health_check_runs_total", &[("check", "db"), ("outcome", "pass")]),
        0
    );
    assert_eq!(reads.histogram("health_check_duration_seconds", &[("check", "db")]), 0);

    health.state().db.set_down(true);
    tokio::time::advance(Duration::from_millis(1001)).await;
    health.readiness().await;
    let down = Recorded::take(&snapshotter);
    assert_eq!(
        down.counter("health_check_runs_total", &[("check", "db"), ("outcome", "error")]),
        1
    );
    assert_eq!(
        down.counter("health_check_transitions_total", &[("check", "db"), ("to", "fail")]),
        1
    );
    assert_eq!(
        down.gauge(
            "health_probe_status",
            &[("probe", "readiness"), ("status", "not_ready")]
        ),
        1.0
    );

    // No error text in any label.
    for (key, _) in built.0.iter().chain(&first.0).chain(&down.0) {
        for label in key.key().labels() {
            assert!(!label.value().contains("refused"), "{label:?}");
        }
    }
}
