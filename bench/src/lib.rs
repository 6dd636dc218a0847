//! Load and compile-time harnesses for `health-core` (issue 6: performance).
//!
//! - [`pings`]: the dependency every variant checks (three 5 ms pings that
//!   count their calls) and a blackholed one that never answers.
//! - [`variant`]: the variants by name, the readiness path, and what a
//!   serving variant hands back (its task, its dependency call counter).
//! - [`servers`]: the variants served on loopback: a static hyper baseline,
//!   hand-written axum readiness handlers, and our readiness endpoint in
//!   on-demand and background mode; the peers through [`peers`].
//! - [`peers`]: the same readiness served by the crates users would pick
//!   instead (axum-health, health).
//! - [`by_hand`]: serving without a health library: a minimal hyper server
//!   and checks folded by hand into the readiness body.
//! - [`loadgen`]: a closed-loop HTTP/1.1 keep-alive load generator that
//!   records a latency histogram.
//! - [`grpc`]: the gRPC health servers (a fixed answer, tonic-health's,
//!   ours), a `Check` load over HTTP/2, and the cost of open `Watch` streams.
//! - [`instructions`]: a server's user-space instructions over a window of
//!   requests, counted by callgrind.
//! - [`compile_gen`]: generates the crates of the compile-time benchmark.
//!
//! `bench/README.md` says how `scripts/load.sh` and
//! `scripts/compile-bench.sh` drive them and what limits each figure.

pub mod by_hand;
pub mod compile_gen;
pub mod grpc;
pub mod instructions;
pub mod loadgen;
pub mod peers;
pub mod pings;
pub mod servers;
pub mod variant;
