//! Plain TCP connect: `checks::tcp`, in front of PostgreSQL's port.

use health_core::checks::tcp::TcpCheck;
use health_core::Reason;

use crate::matrix::{self, Expect, Profile};
use crate::servers::POSTGRES;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connect_fault_matrix() {
    // A TCP connect only sees whether something accepts connections: the
    // proxy accepts under reset, blackhole and latency, so the check passes
    // there. The matrix pins exactly that limit.
    let profile = Profile {
        refuse: Expect::Fails(Reason::Error),
        reset: Expect::Passes,
        blackhole: Expect::Passes,
        slow: Expect::Passes,
        round_trip: false,
        details: &["latency_ms", "peer"],
    };
    matrix::run(&POSTGRES, profile, async |addr| TcpCheck::new("tcp", addr.to_string())).await;
}
