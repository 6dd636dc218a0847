//! The gRPC health service on a port of its own, with graceful shutdown.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;

use super::HealthGrpc;
use crate::shutdown::{drained, TerminationSignals};

/// A bound gRPC health listener; [`GrpcServer::run`] serves it until
/// shutdown and the drain delay passed.
pub struct GrpcServer<S> {
    grpc: HealthGrpc<S>,
    listener: TcpListener,
    local_addr: SocketAddr,
    signals: TerminationSignals,
}

impl<S: Send + Sync + 'static> HealthGrpc<S> {
    /// Binds `addr` for the gRPC health service. SIGTERM/SIGINT handlers
    /// are registered here (like the HTTP listeners').
    pub async fn bind(self, addr: SocketAddr) -> io::Result<GrpcServer<S>> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(GrpcServer {
            grpc: self,
            listener,
            local_addr,
            signals: TerminationSignals::register(true),
        })
    }
}

impl<S> std::fmt::Debug for GrpcServer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcServer")
            .field("local_addr", &self.local_addr)
            .field("drain_delay", &self.grpc.drain_delay)
            .finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> GrpcServer<S> {
    /// The address bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until shutdown (SIGTERM/SIGINT or `begin_shutdown`): every
    /// service turns `NOT_SERVING` at once, `Watch` streams are told and end
    /// after the drain delay, then the server stops.
    pub async fn run(self) -> Result<(), tonic::transport::Error> {
        let GrpcServer {
            grpc,
            listener,
            local_addr,
            signals,
        } = self;
        let health = grpc.health.clone();
        let stop = drained(&health, signals, grpc.drain_delay);
        tracing::info!(%local_addr, "gRPC health listener serving");
        let served = Server::builder()
            .add_service(grpc.into_service())
            .serve_with_incoming_shutdown(TcpIncoming::from(listener), stop)
            .await;
        tracing::info!(%local_addr, "gRPC health listener stopped");
        served
    }
}
