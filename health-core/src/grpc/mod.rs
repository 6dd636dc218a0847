//! The gRPC health checking protocol (`grpc.health.v1.Health`: `Check`,
//! `Watch`, `List`) on tonic, fed from the registry: no second set of
//! checks, no status to set by hand (feature `grpc`).
//!
//! | service name | status |
//! |---|---|
//! | `""` (the server as a whole) | readiness: `SERVING` while `ready` or `degraded` |
//! | `"liveness"`, `"readiness"`, `"startup"` | that probe: `SERVING` while it answers 200 |
//! | a check's name | its reported state (after thresholds): `SERVING` while passing |
//! | anything else | `Check`: `NOT_FOUND`; `Watch`: `SERVICE_UNKNOWN`, stream kept open |
//!
//! Checks that belong to no probe (shown only by the deep report) are
//! answered only to a request carrying `authorization: Bearer <token>` with
//! a token of [`HealthGrpc::deep_tokens`]; to anyone else they are unknown
//! names, exactly as HTTP hides them, and never run.
//!
//! Once shutdown begins every service answers `NOT_SERVING` at once; `Watch`
//! streams are told, then end when the drain delay is over, so an open
//! stream never holds a graceful shutdown up. `Watch` streams are pushed the
//! registry's transitions (one broadcast per change) and cost no CPU while
//! nothing changes. Resources are bounded by [`GrpcLimits`].
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use health_core::Health;
//!
//! let health = Health::builder(()).background().build()?;
//! // On a port of its own, draining 5 s after SIGTERM, with the default limits:
//! let grpc = health.grpc().drain_delay(Duration::from_secs(5)).bind("0.0.0.0:50051".parse()?).await?;
//! grpc.run().await?;
//! # Ok(()) }
//! ```
//!
//! Next to your own services on a tonic server, the same limits (all but
//! the connection cap and the handshake timeout, which only the library's
//! listener has) come from [`GrpcLimits::server`]:
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use health_core::grpc::GrpcLimits;
//! use health_core::Health;
//!
//! let health = Health::builder(()).background().build()?;
//! let grpc = health.grpc();
//! let drain = Duration::from_secs(5);
//! // Equivalent to tonic::transport::Server::builder()
//! //     .max_concurrent_streams(32)
//! //     .http2_keepalive_interval(Some(Duration::from_secs(20)))
//! //     .http2_keepalive_timeout(Some(Duration::from_secs(10)))
//! //     .tcp_keepalive(Some(Duration::from_secs(60)))
//! //     .http2_max_header_list_size(16 * 1024)
//! GrpcLimits::default()
//!     .server()
//!     .add_service(grpc.into_service())
//!     // .add_service(your_service)
//!     .serve_with_shutdown("0.0.0.0:50051".parse()?, health.shutdown_signal(drain))
//!     .await?;
//! # Ok(()) }
//! ```

mod generated;
mod limits;
mod server;
mod service;
mod target;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

pub use limits::GrpcLimits;
pub use server::GrpcServer;

use proto::{HealthServer, ServingStatus};

/// The protocol's messages and tonic's service wrapper, generated from
/// `proto/health.proto`: for a client of `List` (tonic-health's client has
/// only `Check` and `Watch`), and to name what
/// [`HealthGrpc::into_service`] returns.
pub mod proto {
    pub use super::generated::health_check_response::ServingStatus;
    pub use super::generated::health_server::HealthServer;
    pub use super::generated::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
}

use crate::health::Registry;
use crate::token::BearerToken;

/// The gRPC face of a [`Registry`], made by [`Registry::grpc`](crate::Registry::grpc).
#[derive(Debug)]
pub struct HealthGrpc {
    health: Registry,
    drain_delay: Duration,
    handle_signals: bool,
    deep_tokens: Option<BearerToken>,
    limits: GrpcLimits,
    /// One permit per open `Watch` stream, shared by every clone.
    watch_permits: Arc<Semaphore>,
}

impl Clone for HealthGrpc {
    fn clone(&self) -> Self {
        HealthGrpc {
            health: self.health.clone(),
            drain_delay: self.drain_delay,
            handle_signals: self.handle_signals,
            deep_tokens: self.deep_tokens.clone(),
            limits: self.limits.clone(),
            watch_permits: Arc::clone(&self.watch_permits),
        }
    }
}

impl Registry {
    /// The `grpc.health.v1.Health` service of this registry, with a 5 s
    /// drain delay, the default [`GrpcLimits`], no deep-only check visible
    /// and SIGTERM/SIGINT handled as the registry says.
    pub fn grpc(&self) -> HealthGrpc {
        let limits = GrpcLimits::default();
        HealthGrpc {
            health: self.clone(),
            drain_delay: HealthGrpc::DEFAULT_DRAIN_DELAY,
            handle_signals: self.handles_signals(),
            deep_tokens: None,
            watch_permits: Arc::new(Semaphore::new(limits.max_watch_streams)),
            limits,
        }
    }
}

impl HealthGrpc {
    /// How long `Watch` streams (and [`GrpcServer`]) keep going once
    /// shutdown began.
    pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(5);

    /// How long after shutdown began `Watch` streams end (and a
    /// [`GrpcServer`] stops): the time load balancers and meshes need to
    /// see `NOT_SERVING` and route elsewhere.
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// Whether [`GrpcServer::run`] begins shutdown on SIGTERM/SIGINT
    /// (default: as the registry says,
    /// [`HealthBuilder::handle_signals`](crate::HealthBuilder::handle_signals)).
    pub fn handle_signals(mut self, handle: bool) -> Self {
        self.handle_signals = handle;
        self
    }

    /// Lets requests with `authorization: Bearer <token>` (one of `tokens`,
    /// compared as HTTP compares them) see and ask the checks only the deep
    /// report shows. Give HTTP the same tokens
    /// ([`HealthHttp::deep_tokens`](crate::http::HealthHttp::deep_tokens)).
    pub fn deep_tokens(mut self, tokens: BearerToken) -> Self {
        self.deep_tokens = Some(tokens);
        self
    }

    /// Replaces the resource limits (see [`GrpcLimits`] for each and its
    /// default).
    pub fn limits(mut self, limits: GrpcLimits) -> Self {
        // tokio's most: a cap above it would never be reached anyway.
        let watch_streams = limits.max_watch_streams.min(Semaphore::MAX_PERMITS);
        self.watch_permits = Arc::new(Semaphore::new(watch_streams));
        self.limits = limits;
        self
    }

    /// The tonic service, to add to a server of your own
    /// (`Server::builder().add_service(..)`; [`GrpcLimits::server`] gives
    /// a builder with the limits). Give that server
    /// `health.shutdown_signal(drain)` as its graceful shutdown, with the
    /// same drain delay as here. Requests larger than
    /// [`GrpcLimits::max_request_bytes`] are refused.
    pub fn into_service(self) -> HealthServer<HealthGrpc> {
        let max_request = self.limits.max_request_bytes;
        HealthServer::new(self).max_decoding_message_size(max_request)
    }
}

impl ServingStatus {
    /// `SERVING` for a healthy answer, else `NOT_SERVING`.
    pub(crate) fn from_healthy(healthy: bool) -> ServingStatus {
        if healthy {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::GrpcLimits;
    use crate::Health;

    #[test]
    fn a_watch_cap_past_what_tokio_counts_is_taken_without_a_panic() {
        let limits = GrpcLimits {
            max_watch_streams: usize::MAX,
            ..GrpcLimits::default()
        };
        let grpc = Health::builder(()).build().unwrap().grpc().limits(limits);
        assert!(grpc.watch_permits.available_permits() > 1_000_000_000);
    }
}
