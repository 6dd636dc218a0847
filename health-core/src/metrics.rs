//! The metrics a registry records (feature `metrics`), through the
//! [`metrics`](https://docs.rs/metrics) facade: the library records, the
//! application installs the exporter (`metrics-exporter-prometheus`, an
//! OpenTelemetry bridge, ...), as with `tracing` for logs.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | [`health_check_up`](CHECK_UP) | gauge, 1 or 0: the reported state (after thresholds) | `check`, `critical` |
//! | [`health_check_duration_seconds`](CHECK_DURATION) | histogram of run latency | `check` |
//! | [`health_check_runs_total`](CHECK_RUNS) | counter | `check`, `outcome` (`pass`, `error`, `timeout`, `panicked`) |
//! | [`health_check_transitions_total`](CHECK_TRANSITIONS) | counter | `check`, `to` (`pass`, `fail`) |
//! | [`health_check_last_success_timestamp_seconds`](CHECK_LAST_SUCCESS) | gauge, Unix time | `check` |
//! | [`health_probe_status`](PROBE_STATUS) | gauge, 1 for the current answer, 0 for the others | `probe`, `status` |
//!
//! Labels are bounded: check names are fixed when the registry is built,
//! and no error text ever becomes a label. Runs and transitions record;
//! probes only read, so a probe storm records nothing.
//!
//! Install the exporter **before** building the registry: the registry
//! registers its metrics when built, with the recorder installed then.
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use health_core::Health;
//!
//! let exporter = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
//! let health = Health::builder(()).background().build()?;
//! let admin = health
//!     .http()
//!     .metrics(move || exporter.render())
//!     .bind_admin("127.0.0.1:8372".parse()?)
//!     .await?;
//! admin.run().await?;
//! # Ok(()) }
//! ```

/// `health_check_up{check,critical}`: 1 while the check is reported passing, else 0.
pub const CHECK_UP: &str = "health_check_up";
/// `health_check_duration_seconds{check}`: the latency of each run, in seconds.
pub const CHECK_DURATION: &str = "health_check_duration_seconds";
/// `health_check_runs_total{check,outcome}`: runs by how they ended.
pub const CHECK_RUNS: &str = "health_check_runs_total";
/// `health_check_transitions_total{check,to}`: changes of the reported state.
pub const CHECK_TRANSITIONS: &str = "health_check_transitions_total";
/// `health_check_last_success_timestamp_seconds{check}`: when a run last passed (Unix time).
pub const CHECK_LAST_SUCCESS: &str = "health_check_last_success_timestamp_seconds";
/// `health_probe_status{probe,status}`: 1 for each probe's current answer, 0 for the others.
pub const PROBE_STATUS: &str = "health_probe_status";
