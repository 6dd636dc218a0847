//! Kubernetes probe settings derived from the registered checks, so the
//! kubelet never gives up on a probe before its checks can answer.
//!
//! ```
//! use std::time::Duration;
//! use health_core::prelude::*;
//! use health_core::kubernetes::KubernetesProbes;
//!
//! struct AppState;
//!
//! #[health_check(critical, timeout = "2s")]
//! async fn primary_db(_state: &AppState) -> bool {
//!     tokio::net::TcpStream::connect("127.0.0.1:5432").await.is_ok()
//! }
//!
//! let health = Health::builder(AppState).build().unwrap();
//! let probes = KubernetesProbes::new(&health).port(8080).drain_delay(Duration::from_secs(5));
//! assert_eq!(probes.readiness().timeout_seconds, 3); // above the 2 s deadline
//! assert!(probes.warnings().is_empty());
//! println!("{}", probes.to_yaml());
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use crate::health::Mode;
use crate::health::Registry;
use crate::model::probe::Probe;
use crate::model::spec::CheckSpec;

/// What the kubelet is told for one probe (`livenessProbe`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbeSettings {
    /// The HTTP path probed.
    pub path: String,
    /// How often the kubelet probes.
    pub period_seconds: u32,
    /// How long the kubelet waits for an answer.
    pub timeout_seconds: u32,
    /// Consecutive failures before the kubelet acts.
    pub failure_threshold: u32,
    /// Consecutive successes before the kubelet trusts the probe again
    /// (Kubernetes requires 1 for liveness and startup).
    pub success_threshold: u32,
}

/// Probe settings for the three probes and the pod's termination grace
/// period, sized from a registry's checks. See the [module](self) docs.
#[derive(Debug, Clone)]
pub struct KubernetesProbes {
    port: u16,
    paths: [String; 3],
    drain_delay: Duration,
    expected_startup: Duration,
    background: bool,
    /// Per probe: the checks' names and deadlines.
    deadlines: [Vec<(String, Duration)>; 3],
    timeout_overrides: [Option<u32>; 3],
    period_overrides: [Option<u32>; 3],
    /// Probe over gRPC on this port instead of HTTP.
    grpc_port: Option<u16>,
}

/// The deadline a probe's answer needs beyond its slowest check.
const ANSWER_MARGIN: Duration = Duration::from_millis(250);
/// Time for in-flight requests after the drain delay, in the grace period.
const SHUTDOWN_MARGIN: Duration = Duration::from_secs(5);

impl KubernetesProbes {
    /// Settings for `health`'s checks, with port 8080, the default paths,
    /// a 5 s drain delay and 30 s expected start-up.
    pub fn new(health: &Registry) -> KubernetesProbes {
        let deadlines = Probe::ALL.map(|probe| {
            health
                .checks()
                .filter(|spec| spec.in_probe(probe))
                .map(|spec: &CheckSpec| (spec.name.to_string(), spec.timeout))
                .collect()
        });
        KubernetesProbes {
            port: 8080,
            paths: Probe::ALL.map(|probe| probe.default_path().to_owned()),
            drain_delay: Duration::from_secs(5),
            expected_startup: Duration::from_secs(30),
            background: health.mode() == Mode::Background,
            deadlines,
            timeout_overrides: [None; 3],
            period_overrides: [None; 3],
            grpc_port: None,
        }
    }

    /// The container port serving the probes.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Probes over gRPC (Kubernetes 1.24+): `grpc: {port, service}` with the
    /// probe's name as the service (`liveness`, `readiness`, `startup`), as
    /// `health.grpc()` serves them, with the same timing rules as HTTP.
    pub fn grpc(mut self, port: u16) -> Self {
        self.grpc_port = Some(port);
        self
    }

    /// The path serving `probe`, when not the default (`/health/live`, ...).
    pub fn path(mut self, probe: Probe, path: impl Into<String>) -> Self {
        self.paths[probe.index()] = path.into();
        self
    }

    /// The listener's drain delay (`HealthHttp::drain_delay`), which the
    /// termination grace period must cover.
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// How long start-up may take at most; sizes the startup probe's budget.
    pub fn expected_startup(mut self, budget: Duration) -> Self {
        self.expected_startup = budget;
        self
    }

    /// Forces `timeoutSeconds` of `probe` (a warning says if it is too short).
    pub fn timeout_seconds(mut self, probe: Probe, seconds: u32) -> Self {
        self.timeout_overrides[probe.index()] = Some(seconds);
        self
    }

    /// Forces `periodSeconds` of `probe`.
    pub fn period_seconds(mut self, probe: Probe, seconds: u32) -> Self {
        self.period_overrides[probe.index()] = Some(seconds.max(1));
        self
    }

    /// The largest deadline among `probe`'s checks, and the check's name.
    fn slowest(&self, probe: Probe) -> Option<&(String, Duration)> {
        self.deadlines[probe.index()]
            .iter()
            .max_by_key(|(_, deadline)| *deadline)
    }

    /// `timeoutSeconds` that leaves the slowest check time to answer: above
    /// its deadline plus a margin (1 s in background mode, where probes
    /// never wait on a check).
    fn needed_timeout(&self, probe: Probe) -> u32 {
        match self.slowest(probe) {
            Some((_, deadline)) if !self.background => ceil_seconds(deadline.saturating_add(ANSWER_MARGIN)),
            _ => 1,
        }
    }

    fn settings(&self, probe: Probe, default_period: u32) -> ProbeSettings {
        let timeout_seconds = self.timeout_overrides[probe.index()].unwrap_or_else(|| self.needed_timeout(probe));
        let period_seconds = self.period_overrides[probe.index()].unwrap_or(default_period.max(timeout_seconds));
        let failure_threshold = match probe {
            Probe::Startup => {
                let budget = self
                    .expected_startup
                    .saturating_add(Duration::from_secs(u64::from(timeout_seconds)));
                // Overrides are at least 1 s, the defaults above 0: total anyway.
                ceil_seconds(budget).div_ceil(period_seconds.max(1)).max(1)
            }
            _ => 3,
        };
        ProbeSettings {
            path: self.paths[probe.index()].clone(),
            period_seconds,
            timeout_seconds,
            failure_threshold,
            success_threshold: 1,
        }
    }

    /// `livenessProbe`: every 10 s, 3 failures to restart.
    pub fn liveness(&self) -> ProbeSettings {
        self.settings(Probe::Liveness, 10)
    }

    /// `readinessProbe`: every 5 s, 3 failures to stop routing.
    pub fn readiness(&self) -> ProbeSettings {
        self.settings(Probe::Readiness, 5)
    }

    /// `startupProbe`: every 5 s, for the expected start-up plus one answer.
    pub fn startup(&self) -> ProbeSettings {
        self.settings(Probe::Startup, 5)
    }

    /// `terminationGracePeriodSeconds`: the drain delay, the slowest
    /// readiness answer, and time for in-flight requests.
    pub fn termination_grace_period_seconds(&self) -> u32 {
        let slowest = self.slowest(Probe::Readiness).map_or(Duration::ZERO, |(_, d)| *d);
        ceil_seconds(self.drain_delay.saturating_add(slowest).saturating_add(SHUTDOWN_MARGIN))
    }

    /// What in these settings would make a probe lie or a pod restart for
    /// nothing; empty when the derived settings are used as they are.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (probe, settings) in [
            (Probe::Liveness, self.liveness()),
            (Probe::Readiness, self.readiness()),
            (Probe::Startup, self.startup()),
        ] {
            if let Some((check, deadline)) = self.slowest(probe).filter(|_| !self.background) {
                if Duration::from_secs(u64::from(settings.timeout_seconds)) <= *deadline {
                    warnings.push(format!(
                        "{probe} probe: timeoutSeconds {} is not above the {deadline:?} deadline of check `{check}`: \
                         the kubelet gives up before the check can answer; use at least {}",
                        settings.timeout_seconds,
                        self.needed_timeout(probe)
                    ));
                }
            }
            if settings.timeout_seconds > settings.period_seconds {
                warnings.push(format!(
                    "{probe} probe: timeoutSeconds {} exceeds periodSeconds {}: probes would queue up",
                    settings.timeout_seconds, settings.period_seconds
                ));
            }
        }
        if self.grpc_port.is_some() {
            // Over gRPC every service, liveness too, turns NOT_SERVING once
            // shutdown begins: the kubelet must not restart a draining pod.
            let liveness = self.liveness();
            let restarts_after =
                Duration::from_secs(u64::from(liveness.period_seconds) * u64::from(liveness.failure_threshold));
            if restarts_after <= self.drain_delay {
                warnings.push(format!(
                    "gRPC liveness turns NOT_SERVING during the {:?} drain, and the kubelet restarts after {}s \
                     (periodSeconds × failureThreshold): raise them above the drain delay",
                    self.drain_delay,
                    restarts_after.as_secs()
                ));
            }
        }
        let readiness = self.readiness();
        let noticed_after = Duration::from_secs(u64::from(readiness.period_seconds));
        if self.drain_delay < noticed_after {
            warnings.push(format!(
                "drain delay {:?} is shorter than one readiness period ({}s): load balancers probing like the kubelet may \
                 still route to the pod after it stops listening",
                self.drain_delay, readiness.period_seconds
            ));
        }
        warnings
    }

    /// A pod-spec fragment: `terminationGracePeriodSeconds` and a container
    /// with the three probes, for `kubectl`/Helm templates.
    pub fn to_yaml(&self) -> String {
        let mut yaml = String::new();
        let _ = writeln!(
            yaml,
            "# Probe settings derived by health-core from the registered checks."
        );
        for warning in self.warnings() {
            let _ = writeln!(yaml, "# WARNING: {warning}");
        }
        let _ = writeln!(
            yaml,
            "terminationGracePeriodSeconds: {}",
            self.termination_grace_period_seconds()
        );
        let _ = writeln!(yaml, "containers:\n  - name: app");
        for (key, probe, settings) in [
            ("livenessProbe", Probe::Liveness, self.liveness()),
            ("readinessProbe", Probe::Readiness, self.readiness()),
            ("startupProbe", Probe::Startup, self.startup()),
        ] {
            let _ = writeln!(yaml, "    {key}:");
            let _ = match self.grpc_port {
                Some(port) => writeln!(yaml, "      grpc:\n        port: {port}\n        service: {probe}"),
                None => writeln!(
                    yaml,
                    "      httpGet:\n        path: {}\n        port: {}",
                    settings.path, self.port
                ),
            };
            let _ = writeln!(yaml, "      periodSeconds: {}", settings.period_seconds);
            let _ = writeln!(yaml, "      timeoutSeconds: {}", settings.timeout_seconds);
            let _ = writeln!(yaml, "      failureThreshold: {}", settings.failure_threshold);
            let _ = writeln!(yaml, "      successThreshold: {}", settings.success_threshold);
        }
        yaml
    }
}

/// Whole seconds, rounded up.
fn ceil_seconds(duration: Duration) -> u32 {
    let seconds = duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0));
    u32::try_from(seconds).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Health;

    #[test]
    fn seconds_round_up() {
        assert_eq!(ceil_seconds(Duration::from_millis(2250)), 3);
        assert_eq!(ceil_seconds(Duration::from_secs(2)), 2);
        assert_eq!(ceil_seconds(Duration::from_millis(1)), 1);
        assert_eq!(ceil_seconds(Duration::MAX), u32::MAX);
    }

    #[test]
    fn zero_periods_and_the_longest_durations_neither_panic_nor_overflow() {
        let health = Health::builder(()).build().unwrap();
        for grpc in [false, true] {
            let mut probes = KubernetesProbes::new(&health)
                .drain_delay(Duration::MAX)
                .expected_startup(Duration::MAX);
            for probe in Probe::ALL {
                probes = probes.period_seconds(probe, 0).timeout_seconds(probe, 0);
            }
            if grpc {
                probes = probes.grpc(50051);
            }
            let startup = probes.startup();
            assert_eq!(startup.period_seconds, 1);
            assert_eq!(startup.failure_threshold, u32::MAX);
            assert_eq!(probes.termination_grace_period_seconds(), u32::MAX);
            assert!(probes.to_yaml().contains("terminationGracePeriodSeconds: 4294967295"));

            let mut probes = KubernetesProbes::new(&health);
            for probe in Probe::ALL {
                probes = probes.period_seconds(probe, u32::MAX).timeout_seconds(probe, u32::MAX);
            }
            if grpc {
                probes = probes.grpc(50051);
            }
            assert_eq!(probes.liveness().period_seconds, u32::MAX);
            let _ = (probes.warnings(), probes.to_yaml());
        }
    }
}
