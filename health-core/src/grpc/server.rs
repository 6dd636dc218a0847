//! The gRPC health service on a port of its own, with its limits and a
//! bounded graceful shutdown.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;

use super::limits::CountStreams;
use super::HealthGrpc;
use crate::shutdown::drained;

/// A bound gRPC health listener; [`GrpcServer::run`] serves it until
/// shutdown and the drain delay passed.
pub struct GrpcServer {
    grpc: HealthGrpc,
    listener: TcpListener,
    local_addr: SocketAddr,
}

impl HealthGrpc {
    /// Binds `addr` for the gRPC health service. SIGTERM/SIGINT are
    /// listened to once [`GrpcServer::run`] is polled (unless
    /// [`HealthGrpc::handle_signals`] says otherwise).
    pub async fn bind(self, addr: SocketAddr) -> io::Result<GrpcServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(GrpcServer {
            grpc: self,
            listener,
            local_addr,
        })
    }
}

impl std::fmt::Debug for GrpcServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcServer")
            .field("local_addr", &self.local_addr)
            .field("drain_delay", &self.grpc.drain_delay)
            .field("limits", &self.grpc.limits)
            .finish_non_exhaustive()
    }
}

impl GrpcServer {
    /// The address bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until shutdown (SIGTERM/SIGINT or `begin_shutdown`): every
    /// service turns `NOT_SERVING` at once, `Watch` streams are told and end
    /// after the drain delay, then the server stops accepting and returns
    /// once the calls in flight ended, or after
    /// [`GrpcLimits::shutdown_grace`](super::GrpcLimits::shutdown_grace)
    /// whatever clients do.
    pub async fn run(self) -> Result<(), tonic::transport::Error> {
        let GrpcServer {
            grpc,
            listener,
            local_addr,
        } = self;
        let health = grpc.health.clone();
        let limits = grpc.limits.clone();
        let (handle_signals, drain_delay) = (grpc.handle_signals, grpc.drain_delay);
        let (stopped, stop_seen) = tokio::sync::oneshot::channel();
        let stop = async move {
            drained(&health, handle_signals, drain_delay).await;
            let _ = stopped.send(());
        };
        let grace_over = async {
            match stop_seen.await {
                Ok(()) => tokio::time::sleep(super::limits::bounded(limits.shutdown_grace)).await,
                // The server ended before shutdown: it wins the race below.
                Err(_) => std::future::pending().await,
            }
        };
        tracing::info!(%local_addr, "gRPC health listener serving");
        let serving = limits
            .server()
            .layer(tower::layer::layer_fn(CountStreams))
            .add_service(grpc.into_service())
            .serve_with_incoming_shutdown(limits.incoming(TcpIncoming::from(listener)), stop);
        let served = tokio::select! {
            served = serving => served,
            () = grace_over => {
                tracing::warn!(%local_addr, "gRPC health listener stopped with calls still open after {:?}", limits.shutdown_grace);
                Ok(())
            }
        };
        tracing::info!(%local_addr, "gRPC health listener stopped");
        served
    }
}
