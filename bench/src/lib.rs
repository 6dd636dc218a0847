//! Load and compile-time harnesses for `health-core` (issue 6: performance).
//!
//! - [`pings`]: the dependency every variant checks (three 5 ms pings that
//!   count their calls) and a blackholed one that never answers.
//! - [`servers`]: the variants served on loopback: a static hyper baseline,
//!   hand-written axum readiness handlers, and our readiness endpoint in
//!   on-demand and background mode.
//! - [`peers`]: the same readiness served by the crates users would pick
//!   instead (axum-health, health).
//! - [`loadgen`]: a closed-loop HTTP/1.1 keep-alive load generator that
//!   records a latency histogram.
//! - [`grpc`]: the gRPC health servers (a fixed answer, tonic-health's,
//!   ours), a `Check` load over HTTP/2, and the cost of open `Watch` streams.
//! - [`compile_gen`]: generates the crates of the compile-time benchmark.
//!
//! `bench/README.md` says how `scripts/load.sh` and
//! `scripts/compile-bench.sh` drive them and what limits each figure.

pub mod compile_gen;
pub mod grpc;
pub mod loadgen;
pub mod peers;
pub mod pings;
pub mod servers;
