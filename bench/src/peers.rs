//! The Rust crates users would pick instead of ours, serving the same
//! readiness over the same pings (`crate::pings`), used as each crate's
//! documentation shows.
//!
//! - [`axum-health`](https://crates.io/crates/axum-health): the Rust crate
//!   with the most built-in checks; an axum layer whose handler runs every
//!   `HealthIndicator` on every request, one after the other.
//! - [`health`](https://crates.io/crates/health): framework-independent; a
//!   `PeriodicChecker` per check runs it in the background, and the
//!   application serves `Reporter::status()` from its own handler (here the
//!   minimal hyper server of the static baseline).
//!
//! The Node.js peer (`@godaddy/terminus`) lives in `bench/node`.

use std::borrow::Cow;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::routing::get;
use axum::Router;
use axum_health::prelude::{HealthDetail, HealthIndicator};
use health::Reporter;
use http::request::Parts;
use tokio::net::TcpListener;

use crate::by_hand::{fold_to_hyper, serve_fn};
use crate::pings::{blackholed, ping_broker, ping_cache, ping_db, Blackhole, Pings};
use crate::variant::{Calls, Serving, Variant, READY_PATH};

/// One call to a dependency.
type Call = Arc<dyn Fn() -> futures_util::future::BoxFuture<'static, io::Result<()>> + Send + Sync>;

/// One of the three pings, or the blackholed dependency, by name.
struct Dependency {
    name: &'static str,
    critical: bool,
    call: Call,
}

/// The dependencies of a peer variant (the three pings, or the blackholed
/// one) and their call counter.
fn dependencies(variant: Variant) -> (Vec<Dependency>, Calls) {
    let blackholed_variant = matches!(variant, Variant::PeerAxumHealthBlackhole | Variant::PeerHealthBlackhole);
    if blackholed_variant {
        let blackhole = Arc::new(Blackhole::default());
        let state = Arc::clone(&blackhole);
        let call: Call = Arc::new(move || {
            let state = Arc::clone(&state);
            Box::pin(async move { blackholed(&state).await })
        });
        let calls: Calls = Arc::new(move || blackhole.calls());
        return (
            vec![Dependency {
                name: "blackholed",
                critical: true,
                call,
            }],
            calls,
        );
    }
    let pings = Arc::new(Pings::default());
    let dependency =
        |name, critical, ping: fn(Arc<Pings>) -> futures_util::future::BoxFuture<'static, io::Result<()>>| {
            let state = Arc::clone(&pings);
            let call: Call = Arc::new(move || ping(Arc::clone(&state)));
            Dependency { name, critical, call }
        };
    let three = vec![
        dependency("ping_db", true, |p| Box::pin(async move { ping_db(&p).await })),
        dependency("ping_broker", true, |p| Box::pin(async move { ping_broker(&p).await })),
        dependency("ping_cache", false, |p| Box::pin(async move { ping_cache(&p).await })),
    ];
    (three, Arc::new(move || pings.calls()))
}

/// Serves peer `variant` on `listener`: its serving task, the interval of
/// its checks (if it has one) and its call counter.
pub(crate) fn serve(variant: Variant, listener: TcpListener) -> (Serving, Option<Duration>, Calls) {
    let (dependencies, calls) = dependencies(variant);
    match variant {
        Variant::PeerHealth | Variant::PeerHealthBlackhole => (
            periodic(listener, dependencies),
            Some(HEALTH_CONFIG.check_interval),
            calls,
        ),
        _ => (axum_health(listener, dependencies), None, calls),
    }
}

#[async_trait]
impl HealthIndicator for Dependency {
    fn name(&self) -> String {
        self.name.to_owned()
    }

    async fn details(&self) -> HealthDetail {
        match (self.call)().await {
            Ok(()) => HealthDetail::up(),
            Err(e) => HealthDetail::down().with_detail("error", e.to_string()),
        }
    }
}

#[async_trait]
impl health::Checkable for Dependency {
    type Error = io::Error;

    async fn check(&self) -> io::Result<()> {
        (self.call)().await
    }

    fn name(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.name)
    }
}

/// axum-health's layer and handler on `READY_PATH`, over `dependencies`.
fn axum_health(listener: TcpListener, dependencies: Vec<Dependency>) -> Serving {
    let health = dependencies
        .into_iter()
        .fold(axum_health::prelude::Health::builder(), |builder, d| {
            builder.with_indicator(d)
        })
        .build();
    let app = Router::new()
        .route(READY_PATH, get(axum_health::health_check))
        .layer(health);
    tokio::spawn(async move { axum::serve(listener, app).await })
}

/// The `health` crate's configuration: the interval of our pings (1 s),
/// thresholds of 1 like ours, and a leeway of twice the interval, the least
/// its documentation recommends.
pub const HEALTH_CONFIG: health::Config = health::Config {
    check_interval: Duration::from_secs(1),
    min_failures: 1,
    min_successes: 1,
    leeway: Duration::from_secs(2),
};

/// A `PeriodicChecker` per dependency, spawned, and a hyper handler folding
/// their `status()` into the readiness body (`None`, no recent result,
/// counts as failing).
fn periodic(listener: TcpListener, dependencies: Vec<Dependency>) -> Serving {
    let checkers: Vec<_> = dependencies
        .into_iter()
        .map(|d| {
            let (name, critical) = (d.name, d.critical);
            let checker = health::PeriodicChecker::new(d, HEALTH_CONFIG);
            tokio::spawn(checker.clone().run());
            (name, critical, checker)
        })
        .collect();
    tokio::spawn(serve_fn(listener, None, move |_: &Parts| {
        let folded = checkers.iter().map(|(name, critical, checker)| {
            let healthy = checker.status() == Some(health::Status::Healthy);
            (*name, *critical, healthy)
        });
        fold_to_hyper(folded)
    }))
}
