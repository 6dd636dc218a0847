//! One `tracing` event per transition, never one per failing run: warn when
//! a check starts failing, info when it passes again. A binary of its own:
//! `tracing` caches per call site whether anyone listens, so a test that
//! installs a subscriber for its thread must not share the process with
//! tests that emit the same events without one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use health_core::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

use tests::Dependency;

#[derive(Default)]
struct Logging {
    db: Dependency,
}

#[health_check(critical, interval = "1s")]
async fn db(state: &Logging) -> Result<(), String> {
    state.db.call()
}

/// The log lines emitted: level and message.
#[derive(Clone, Default)]
struct Logged(Arc<Mutex<Vec<(Level, String)>>>);

impl Logged {
    fn count(&self, level: Level, message: &str) -> usize {
        let lines = self.0.lock().unwrap();
        lines.iter().filter(|(l, m)| *l == level && m == message).count()
    }
}

impl<S: Subscriber> Layer<S> for Logged {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        struct Message(String);
        impl Visit for Message {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        self.0.lock().unwrap().push((*event.metadata().level(), message.0));
    }
}

#[tokio::test(start_paused = true)]
async fn a_check_failing_for_an_hour_logs_once_then_once_when_it_passes() {
    let logged = Logged::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(logged.clone())).unwrap();
    let health = Health::builder(Logging::default()).build().unwrap();
    health.state().db.set_down(true);
    for _ in 0..3600 {
        tokio::time::advance(Duration::from_millis(1001)).await;
        health.readiness().await;
    }
    assert!(health.state().db.calls() >= 3600, "the check ran every second");
    assert_eq!(logged.count(Level::WARN, "health check failing"), 1);
    assert_eq!(logged.count(Level::INFO, "health check passing"), 0);

    health.state().db.set_down(false);
    tokio::time::advance(Duration::from_millis(1001)).await;
    health.readiness().await;
    assert_eq!(
        logged.count(Level::INFO, "health check passing"),
        1,
        "info on fail -> pass"
    );
    assert_eq!(logged.count(Level::WARN, "health check failing"), 1);
}
