//! The same metrics reach an OpenTelemetry pipeline: the `metrics` facade
//! bridged to an OpenTelemetry meter by `metrics-exporter-otel`, exported
//! by the SDK's in-memory exporter (in production, the OTLP exporter).

use health_core::prelude::*;
use metrics_exporter_otel::OpenTelemetryRecorder;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::Value;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

struct Shop;

#[health_check(critical)]
async fn db(_state: &Shop) -> Result<(), String> {
    std::env::current_dir().map(|_| ()).map_err(|e| e.to_string())
}

#[health_check]
async fn cache(_state: &Shop) -> Result<(), String> {
    Err("connection refused".into())
}

#[tokio::test]
async fn health_metrics_are_exported_through_an_opentelemetry_meter() {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let recorder = OpenTelemetryRecorder::new(provider.meter("health"));
    // In a service: `metrics::set_global_recorder(recorder)` before building
    // the registry. Here, for this test's registry only.
    let health = metrics::with_local_recorder(&recorder, || Health::builder(Shop).build().unwrap());
    assert_eq!(health.readiness().await.status(), Status::Degraded);
    provider.force_flush().unwrap();

    let exported = exporter.get_finished_metrics().unwrap();
    let metrics: Vec<_> = exported
        .iter()
        .flat_map(|resource| resource.scope_metrics())
        .flat_map(|scope| scope.metrics())
        .collect();
    let names: Vec<&str> = metrics.iter().map(|m| m.name()).collect();
    for name in [
        "health_check_up",
        "health_check_runs_total",
        "health_check_duration_seconds",
        "health_check_transitions_total",
        "health_probe_status",
    ] {
        assert!(names.contains(&name), "{name} not exported: {names:?}");
    }
    // health_check_up: 1 for db, 0 for cache, labelled by check.
    let up = metrics.iter().find(|m| m.name() == "health_check_up").unwrap();
    let AggregatedMetrics::F64(MetricData::Gauge(gauge)) = up.data() else {
        panic!("health_check_up is not an f64 gauge: {:?}", up.data())
    };
    let by_check: Vec<(String, f64)> = gauge
        .data_points()
        .map(|point| {
            let check = point
                .attributes()
                .find(|kv| kv.key.as_str() == "check")
                .map(|kv| match &kv.value {
                    Value::String(s) => s.to_string(),
                    other => other.to_string(),
                })
                .unwrap_or_default();
            (check, point.value())
        })
        .collect();
    assert!(by_check.contains(&("db".into(), 1.0)), "{by_check:?}");
    assert!(by_check.contains(&("cache".into(), 0.0)), "{by_check:?}");
}
