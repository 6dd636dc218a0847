//! The load-balancer settings of `docs/load-balancers.md`, run for real.
//!
//! This crate has no code of its own: its tests (`tests/lb`) take the
//! HAProxy and nginx configurations from the doc (the fenced blocks marked
//! `<!-- tests-lb: NAME -->`, with the substitutions listed in
//! `tests/lb/docs.rs`), check them with `haproxy -c` and `nginx -t`, and run
//! the real load balancers as throwaway processes on loopback in front of
//! two instances of the demo service, under load:
//!
//! - a rolling restart with SIGTERM behind HAProxy loses no request with the
//!   documented drain, and loses some without it (the control);
//! - HAProxy takes an instance whose critical dependency is blackholed out
//!   of rotation and keeps a `degraded` one in;
//! - open-source nginx fails a stopped instance over to the other one.
//!
//! ```text
//! bash scripts/test.sh                                        # everything, installs haproxy and nginx
//! cargo build -p examples --bin demo && cargo test -p tests-lb -- --nocapture
//! ```
//!
//! # The demo binary
//!
//! Cargo only tells the tests of the `examples` package where its `demo`
//! binary is (`CARGO_BIN_EXE_demo`), and artifact dependencies are not
//! stable. These tests take the `demo` next to their own directory
//! (`target/<profile>/demo`), which `cargo test --workspace` builds in the
//! same run; alone, build it first as above. A missing binary fails the
//! tests with that command.
//!
//! # What the machine needs
//!
//! `haproxy` and `nginx` (`scripts/test.sh` installs them from Debian when
//! missing; a missing one fails the tests naming it), and the local
//! PostgreSQL for the readiness scenario (`HEALTH_TEST_POSTGRES_URL`).
