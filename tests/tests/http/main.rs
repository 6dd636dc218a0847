//! The HTTP contract (`docs/design.md`) over real sockets with a real HTTP client: the standalone hyper
//! listener and the axum router, every row of the table, content
//! negotiation, methods, deep-endpoint access, bounded answers, probe
//! storms and graceful shutdown.

mod axum_router;
mod bounded;
mod client;
mod contract;
mod deep;
mod page;
mod shutdown;

use std::net::SocketAddr;

use health_core::http::HealthHttp;

/// Binds `http` on a free loopback port, serves it in the background
/// (without signal handlers: tests shut down programmatically), and
/// returns where it listens.
pub async fn serve<S: Send + Sync + 'static>(http: HealthHttp<S>) -> SocketAddr {
    let server = http
        .handle_signals(false)
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run());
    addr
}

pub use tests::Dependency;
