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
//! Once shutdown begins every service answers `NOT_SERVING` at once; `Watch`
//! streams are told, then end when the drain delay is over, so an open
//! stream never holds a graceful shutdown up. `Watch` streams are pushed the
//! registry's transitions (one broadcast per change) and cost no CPU while
//! nothing changes.
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use health_core::Health;
//!
//! let health = Health::builder(()).background().build()?;
//! // On a port of its own, draining 5 s after SIGTERM:
//! let grpc = health.grpc().drain_delay(Duration::from_secs(5)).bind("0.0.0.0:50051".parse()?).await?;
//! grpc.run().await?;
//! // Or next to your own services on a tonic server:
//! // tonic::transport::Server::builder().add_service(health.grpc().into_service()).add_service(...)
//! # Ok(()) }
//! ```

mod generated;
mod server;
mod service;
mod watch;

use std::time::Duration;

pub use generated::health_check_response::ServingStatus;
pub use generated::health_server::HealthServer;
pub use generated::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
pub use server::GrpcServer;

use crate::Health;

/// The gRPC face of a [`Health`] registry, made by [`Health::grpc`].
#[derive(Debug)]
pub struct HealthGrpc<S> {
    health: Health<S>,
    drain_delay: Duration,
}

impl<S> Clone for HealthGrpc<S> {
    fn clone(&self) -> Self {
        HealthGrpc {
            health: self.health.clone(),
            drain_delay: self.drain_delay,
        }
    }
}

impl<S: Send + Sync + 'static> Health<S> {
    /// The `grpc.health.v1.Health` service of this registry, with a 5 s
    /// drain delay.
    pub fn grpc(&self) -> HealthGrpc<S> {
        HealthGrpc {
            health: self.clone(),
            drain_delay: HealthGrpc::<S>::DEFAULT_DRAIN_DELAY,
        }
    }
}

impl<S: Send + Sync + 'static> HealthGrpc<S> {
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

    /// The tonic service, to add to a server of your own
    /// (`Server::builder().add_service(..)`). Give that server
    /// `health.shutdown_signal(drain)` as its graceful shutdown, with the
    /// same drain delay as here.
    pub fn into_service(self) -> HealthServer<HealthGrpc<S>> {
        HealthServer::new(self)
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
