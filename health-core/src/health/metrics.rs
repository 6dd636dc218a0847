//! What a registry records through the [`metrics`](https://docs.rs/metrics)
//! facade (feature `metrics`): the application installs the exporter. The
//! handles are registered once, when the registry is built, so recording a
//! run costs a few atomic operations, and nothing without an exporter.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `health_check_up` | gauge, 1 or 0: the reported state | `check`, `critical` |
//! | `health_check_duration_seconds` | histogram of run latency | `check` |
//! | `health_check_runs_total` | counter | `check`, `outcome` (`pass`, `error`, `timeout`, `panicked`) |
//! | `health_check_transitions_total` | counter | `check`, `to` (`pass`, `fail`) |
//! | `health_check_last_success_timestamp_seconds` | gauge, Unix time | `check` |
//! | `health_probe_status` | gauge, 1 for the current answer, 0 for the others | `probe`, `status` |
//!
//! Labels are bounded: check names are fixed when the registry is built, and
//! no error text ever becomes a label.

pub(crate) use imp::{CheckMetrics, ProbeMetrics};

#[cfg(feature = "metrics")]
mod imp {
    use std::time::{SystemTime, UNIX_EPOCH};

    use metrics::{counter, gauge, histogram, Counter, Gauge, Histogram};

    use crate::probe::Probe;
    use crate::result::{Observation, Reason};
    use crate::status::Status;
    use crate::transition::CheckState;

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
                .map(|outcome| counter!("health_check_runs_total", "check" => check.clone(), "outcome" => outcome));
            let up = gauge!("health_check_up", "check" => check.clone(), "critical" => critical);
            up.set(0.0);
            CheckMetrics {
                up,
                duration: histogram!("health_check_duration_seconds", "check" => check.clone()),
                runs,
                to_pass: counter!("health_check_transitions_total", "check" => check.clone(), "to" => "pass"),
                to_fail: counter!("health_check_transitions_total", "check" => check.clone(), "to" => "fail"),
                last_success: gauge!("health_check_last_success_timestamp_seconds", "check" => check),
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
                        let gauge =
                            gauge!("health_probe_status", "probe" => probe.as_str(), "status" => status.as_str());
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
    use crate::probe::Probe;
    use crate::result::Observation;
    use crate::status::Status;
    use crate::transition::CheckState;

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
