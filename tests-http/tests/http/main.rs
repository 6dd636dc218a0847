//! The HTTP contract (`docs/design.md`) over real sockets with a real HTTP
//! client, run against every adapter (`adapters.rs`: the axum router, the
//! hyper listener, the tower service and layer under hyper-util,
//! actix-web): every row of the table, content negotiation, methods,
//! deep-endpoint access, the status page, metrics and graceful shutdown
//! (`contract/`). Beside it, what only one adapter has (`axum_router.rs`,
//! `hyper_listener.rs`, `tower_layer.rs`) and, on the hyper listener,
//! bounded answers and probe storms (`bounded.rs`). Hostile clients are in
//! `tests/hostile.rs`, a binary of its own.

mod adapters;
mod axum_router;
mod bounded;
mod client;
mod contract;
mod hyper_listener;
mod tower_layer;

pub use tests::Dependency;
