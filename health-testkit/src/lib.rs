//! The conformance kit of `health-core`: proves that a check fails within
//! its deadline with the right reason when its dependency misbehaves, and
//! recovers when the dependency comes back. Add it to your
//! `[dev-dependencies]`: it is test code, apart from the library you ship.
//!
//! - [`Conformance`] runs a check, built against a [`FaultProxy`] in front of
//!   the real dependency, through every fault and returns a
//!   [`ConformanceReport`]: a table of step, expected, observed and elapsed
//!   time, with [`ConformanceReport::assert_honest`] to fail a test with it.
//! - [`FaultProxy`] is the proxy itself, for tests of their own: point the
//!   client at [`FaultProxy::addr`] and switch faults while probing.
//!
//! # What the kit cannot judge
//!
//! The kit injects faults on one TCP path, between the check's client and
//! the upstream address it was given, and judges what a readiness probe
//! reports. It says nothing about:
//!
//! - **What a check does not look at.** A check that only opens a TCP
//!   connection passes under a blackhole or a latency (the proxy accepts),
//!   and under a reset passes or fails depending on whether the reset lands
//!   before the connect completes. A check that judges what a background
//!   task observed (an MQTT event loop) fails when that task notices, not on
//!   the next run. Such checks [`declare`](Conformance::declare) what they
//!   report under each fault, with the reason; the table shows every
//!   declaration, so neither a pass nor a failure is forced.
//! - **Other paths.** A client that learns other addresses from the server
//!   (cluster topologies, redirects, discovery) or resolves a name again may
//!   connect around the proxy; TLS, DNS and application-level errors (an
//!   HTTP 500, a full disk on the server) are not injected.
//! - **Checks without a network dependency** (SQLite, disk space, memory):
//!   there is nothing for the proxy to cut; test them against their own
//!   failure (a missing file, a threshold nothing meets).
//! - **Load.** One client, one probe at a time; the load harness
//!   (`scripts/load.sh`) measures probe storms.

#![warn(missing_docs, missing_debug_implementations)]

mod conformance;
mod fault_proxy;
mod report;
mod steps;

pub use conformance::Conformance;
pub use fault_proxy::{Fault, FaultProxy};
pub use report::{ConformanceReport, Row};
pub use steps::{Expect, Step};
