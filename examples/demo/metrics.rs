//! The demo's metrics exporter: Prometheus text on the admin listener's
//! `/metrics`, from what health-core records through the `metrics` facade.

use std::time::Duration;

use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// Buckets of `health_check_duration_seconds`, in seconds: from a cache hit
/// on loopback to the longest deadline, so `histogram_quantile` can tell a
/// slow dependency from a timed-out one.
const CHECK_DURATION_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Installs the Prometheus recorder for the whole process, with the upkeep
/// its histograms need, and returns the handle that renders the text.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("health_check_duration_seconds".into()),
            CHECK_DURATION_BUCKETS,
        )?
        .install_recorder()?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticks.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}
