//! The conformance kit (feature `testkit`): tools to prove that a
//! check fails within its deadline with the right reason when its
//! dependency misbehaves, and recovers when the dependency comes back.
//!
//! Put a [`FaultProxy`] between the check's client and the real server, point
//! the client at [`FaultProxy::addr`], and switch faults while probing.

mod fault_proxy;

pub use fault_proxy::{Fault, FaultProxy};
