//! Recording through the [`metrics`](https://docs.rs/metrics) facade
//! (feature `metrics`; names and labels in [`crate::metrics`]). The handles
//! are registered once, when the registry is built, so recording a run
//! costs a few atomic operations, and nothing without an exporter.

pub(crate) use imp::{CheckMetrics, ProbeMetrics};

#[cfg(feature = "metrics")]
mod imp {
    use std::time::{SystemTime, UNIX_EPOCH};

    use metrics::{counter, gauge, histogram, Counter, Gauge, Histogram};

    use crate::metrics::{CHECK_DURATION, CHECK_LAST_SUCCESS, CHECK_RUNS, CHECK_TRANSITIONS, CHECK_UP, PROBE_STATUS};
    use crate::report::json::verdict;

    use crate::model::probe::Probe;
    use crate::model::result::{Observation, Reason};
    use crate::model::status::Status;
    use crate::report::transition::CheckState;

    /// The handles of one check.
    pub(crate) struct CheckMetrics {
        up: Gauge,
        duration: Histogram,
        /// `pass`, `error`, `timeout`, `panicked`.
        runs: [Counter; 4],
        to_pass: Counter,
        to_fail: Counter,
        last_success: Gauge,
    }

    impl CheckMetrics {
        pub fn new(check: &str, critical: bool) -> CheckMetrics {
            let check = check.to_owned();
            let critical = if critical { "true" } else { "false" };
            let runs = ["pass", "error", "timeout", "panicked"]
                .map(|outcome| counter!(CHECK_RUNS, "check" => check.clone(), "outcome" => outcome));
            let up = gauge!(CHECK_UP, "check" => check.clone(), "critical" => critical);
            up.set(0.0);
            CheckMetrics {
                up,
                duration: histogram!(CHECK_DURATION, "check" => check.clone()),
                runs,
                to_pass: counter!(CHECK_TRANSITIONS, "check" => check.clone(), "to" => verdict(true)),
                to_fail: counter!(CHECK_TRANSITIONS, "check" => check.clone(), "to" => verdict(false)),
                last_success: gauge!(CHECK_LAST_SUCCESS, "check" => check),
            }
        }

        /// One run ended.
        pub fn run(&self, observation: &Observation) {
            self.duration.record(observation.latency.as_secs_f64());
            let outcome = match observation.failure {
                None => 0,
                Some(Reason::Timeout) => 2,
                Some(Reason::Panicked) => 3,
                Some(_) => 1,
            };
            self.runs[outcome].increment(1);
            if observation.passed() {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                self.last_success.set(now.as_secs_f64());
            }
        }

        /// The reported state changed to `to`.
        pub fn state(&self, to: CheckState) {
            let up = to == CheckState::Passing;
            self.up.set(if up { 1.0 } else { 0.0 });
            if up { &self.to_pass } else { &self.to_fail }.increment(1);
        }
    }

    /// The `health_probe_status` gauges of a registry.
    pub(crate) struct ProbeMetrics {
        gauges: Vec<(Probe, Status, Gauge)>,
    }

    impl ProbeMetrics {
        pub fn new() -> ProbeMetrics {
            let gauges = Probe::ALL
                .into_iter()
                .flat_map(|probe| {
                    Status::of_probe(probe).iter().map(move |&status| {
                        let gauge = gauge!(PROBE_STATUS, "probe" => probe.as_str(), "status" => status.as_str());
                        (probe, status, gauge)
                    })
                })
                .collect();
            ProbeMetrics { gauges }
        }

        /// `probe` answers `status` now.
        pub fn status(&self, probe: Probe, status: Status) {
            for (p, s, gauge) in &self.gauges {
                if *p == probe {
                    gauge.set(if *s == status { 1.0 } else { 0.0 });
                }
            }
        }
    }
}

#[cfg(not(feature = "metrics"))]
mod imp {
    use crate::model::probe::Probe;
    use crate::model::result::Observation;
    use crate::model::status::Status;
    use crate::report::transition::CheckState;

    /// Nothing to record without the `metrics` feature.
    pub(crate) struct CheckMetrics;

    impl CheckMetrics {
        pub fn new(_check: &str, _critical: bool) -> CheckMetrics {
            CheckMetrics
        }

        pub fn run(&self, _observation: &Observation) {}

        pub fn state(&self, _to: CheckState) {}
    }

    /// Nothing to record without the `metrics` feature.
    pub(crate) struct ProbeMetrics;

    impl ProbeMetrics {
        pub fn new() -> ProbeMetrics {
            ProbeMetrics
        }

        pub fn status(&self, _probe: Probe, _status: Status) {}
    }
}
