//! The variants of the load benchmark by name, the path they answer
//! readiness on, and what a variant serving on its listener hands back:
//! its task and its dependency call counter.

use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::Arc;

use tokio::task::JoinHandle;

/// The readiness path every variant but the static one answers on.
pub const READY_PATH: &str = "/health/ready";

/// Reads a variant's dependency call counter.
pub(crate) type Calls = Arc<dyn Fn() -> u64 + Send + Sync>;

/// A serving task.
pub(crate) type Serving = JoinHandle<io::Result<()>>;

/// One server of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// A minimal hyper 1.x server answering every request with a fixed
    /// small JSON body: the floor of what HTTP costs here.
    Static,
    /// The same, with the header-read timeout that `health-core`'s listener
    /// configures (`.timer(TokioTimer)`, `.header_read_timeout(10s)`): what
    /// that protection costs per request.
    StaticTimer,
    /// A hand-written axum readiness handler running the three pings
    /// concurrently (`tokio::join!`), each under `tokio::time::timeout`.
    NaiveJoin,
    /// The same handler awaiting the three pings one after the other.
    NaiveSeq,
    /// Our readiness endpoint (hyper listener of `health-core`), on-demand
    /// mode: results cached for the interval, concurrent probes share a run.
    Cached,
    /// Our readiness endpoint (hyper listener), background mode: probes only
    /// read the snapshot.
    Background,
    /// Our readiness endpoint in background mode, served by the axum router
    /// of `health-core` (same stack as the hand-written handlers).
    BackgroundAxum,
    /// `Background` with the `metrics` feature recording into an installed
    /// Prometheus exporter (`metrics-exporter-prometheus`): what metrics
    /// cost the probes.
    BackgroundMetrics,
    /// Our readiness endpoint in background mode over checks run every
    /// 10 ms, one flapping: the memory soak, with every history full.
    Soak,
    /// Our readiness endpoint, on-demand mode, over a dependency that never
    /// answers (50 ms deadline).
    Blackhole,
    /// Peer: axum-health's layer and handler over the three pings.
    PeerAxumHealth,
    /// Peer: the `health` crate's periodic checkers over the three pings,
    /// served by the minimal hyper server.
    PeerHealth,
    /// Peer: axum-health over the blackholed dependency.
    PeerAxumHealthBlackhole,
    /// Peer: the `health` crate over the blackholed dependency.
    PeerHealthBlackhole,
}

impl Variant {
    /// Every variant, in the order of the report.
    pub const ALL: [Variant; 14] = [
        Variant::Static,
        Variant::StaticTimer,
        Variant::NaiveJoin,
        Variant::NaiveSeq,
        Variant::Cached,
        Variant::Background,
        Variant::BackgroundAxum,
        Variant::BackgroundMetrics,
        Variant::Soak,
        Variant::Blackhole,
        Variant::PeerAxumHealth,
        Variant::PeerHealth,
        Variant::PeerAxumHealthBlackhole,
        Variant::PeerHealthBlackhole,
    ];

    /// The name on the command line and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Variant::Static => "static",
            Variant::StaticTimer => "static-timer",
            Variant::NaiveJoin => "naive-join",
            Variant::NaiveSeq => "naive-seq",
            Variant::Cached => "cached",
            Variant::Background => "background",
            Variant::BackgroundAxum => "background-axum",
            Variant::BackgroundMetrics => "background-metrics",
            Variant::Soak => "soak",
            Variant::Blackhole => "blackhole",
            Variant::PeerAxumHealth => "peer-axum-health",
            Variant::PeerHealth => "peer-health",
            Variant::PeerAxumHealthBlackhole => "peer-axum-health-blackhole",
            Variant::PeerHealthBlackhole => "peer-health-blackhole",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(name: &str) -> Result<Variant, String> {
        Variant::ALL.into_iter().find(|v| v.name() == name).ok_or_else(|| {
            let names: Vec<_> = Variant::ALL.iter().map(|v| v.name()).collect();
            format!("unknown variant `{name}`; expected one of {}", names.join(", "))
        })
    }
}
