//! Plain TCP connect: `checks::tcp`, in front of PostgreSQL's port.

use health_core::checks::tcp::TcpCheck;
use health_core::Reason;

use crate::matrix::{self, Expect, Profile};
use crate::servers::POSTGRES;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connect_fault_matrix() {
    // A TCP connect only sees whether something accepts connections: the
    // proxy accepts under blackhole and latency, so the check passes there.
    // Under reset it accepts and resets at once; whether the RST lands
    // before the connect completes is the kernel's race. The matrix pins
    // exactly these limits.
    let profile = Profile {
        refuse: Expect::Fails(Reason::Error),
        reset: Expect::PassesOrFails(Reason::Error),
        blackhole: Expect::Passes,
        slow: Expect::Passes,
        round_trip: false,
        details: &["latency_ms", "peer"],
    };
    matrix::run(&POSTGRES, profile, async |addr| TcpCheck::new("tcp", addr.to_string())).await;
}
