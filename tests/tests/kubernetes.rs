//! Kubernetes probe settings sized from the registered checks, and the
//! warnings when an override would make the kubelet give up first.

use std::time::Duration;

use health_core::kubernetes::KubernetesProbes;
use health_core::prelude::*;

struct Service;

#[health_check(critical, timeout = "2s")]
async fn primary_db(_state: &Service) -> bool {
    tests::reachable()
}

#[health_check(liveness, timeout = "100ms")]
async fn event_loop(_state: &Service) -> bool {
    tests::reachable()
}

#[health_check(startup, timeout = "5s")]
async fn models_loaded(_state: &Service) -> bool {
    tests::reachable()
}

fn probes() -> KubernetesProbes {
    KubernetesProbes::new(&Health::builder(Service).build().unwrap())
}

#[test]
fn timeouts_sit_above_the_slowest_deadline_of_each_probe() {
    let probes = probes()
        .drain_delay(Duration::from_secs(10))
        .expected_startup(Duration::from_secs(60));
    assert_eq!(probes.readiness().timeout_seconds, 3, "2 s deadline + margin");
    assert_eq!(probes.liveness().timeout_seconds, 1);
    let startup = probes.startup();
    assert_eq!(
        startup.timeout_seconds, 6,
        "5 s deadline + margin, above the 5 s period"
    );
    assert!(u64::from(startup.period_seconds * startup.failure_threshold) >= 60 + 5);
    assert_eq!((probes.liveness().success_threshold, startup.success_threshold), (1, 1));
    assert!(probes.termination_grace_period_seconds() >= 10 + 2);
    assert!(probes.warnings().is_empty(), "{:?}", probes.warnings());
}

#[test]
fn an_override_below_a_deadline_is_warned_about() {
    let probes = probes()
        .timeout_seconds(Probe::Readiness, 1)
        .period_seconds(Probe::Liveness, 1);
    let warnings = probes.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("readiness probe") && w.contains("primary_db") && w.contains("use at least 3")),
        "{warnings:?}"
    );
    assert!(probes.to_yaml().contains("# WARNING: readiness probe"));
}

#[test]
fn a_short_drain_is_warned_about() {
    let warnings = probes().drain_delay(Duration::from_secs(1)).warnings();
    assert!(warnings.iter().any(|w| w.contains("drain delay")), "{warnings:?}");
}

#[test]
fn background_mode_needs_no_long_timeouts() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let health = Health::builder(Service).background().build().unwrap();
    let probes = KubernetesProbes::new(&health);
    assert_eq!(probes.readiness().timeout_seconds, 1, "probes only read the snapshot");
    assert!(probes.warnings().iter().all(|w| !w.contains("timeoutSeconds")));
}

#[test]
fn the_yaml_names_paths_and_port() {
    let yaml = probes().port(9000).path(Probe::Readiness, "/readyz").to_yaml();
    assert!(yaml.contains("path: /readyz") && yaml.contains("port: 9000"), "{yaml}");
    assert!(yaml.contains("terminationGracePeriodSeconds:"));
}

#[test]
fn grpc_probes_name_the_probe_as_the_service_with_the_same_timing() {
    let http = probes().drain_delay(Duration::from_secs(10));
    let grpc = probes().drain_delay(Duration::from_secs(10)).grpc(50051);
    assert_eq!(grpc.readiness(), http.readiness(), "same timing rules");
    let yaml = grpc.to_yaml();
    assert!(
        yaml.contains("readinessProbe:\n      grpc:\n        port: 50051\n        service: readiness\n"),
        "{yaml}"
    );
    assert!(yaml.contains("service: liveness") && yaml.contains("service: startup"));
    assert!(!yaml.contains("httpGet"));
    assert!(grpc.warnings().is_empty(), "{:?}", grpc.warnings());
    let long_drain = probes().grpc(50051).drain_delay(Duration::from_secs(60));
    assert!(
        long_drain
            .warnings()
            .iter()
            .any(|w| w.contains("gRPC liveness turns NOT_SERVING")),
        "{:?}",
        long_drain.warnings()
    );
}
