//! Plain TCP connect: `checks::tcp`, in front of PostgreSQL's port.

use health_core::checks::tcp::TcpCheck;
use health_core::Reason;
use health_testkit::{Expect, Step};

use crate::matrix::{self, Profile};
use crate::servers::POSTGRES;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connect_fault_matrix() {
    // A TCP connect only sees whether something accepts connections; the
    // declarations pin exactly these limits.
    let declared = [
        (
            Step::Reset,
            Expect::PassOrFail(Reason::Error),
            "the proxy accepts, then resets: whether the RST lands before the connect completes is the kernel's race",
        ),
        (
            Step::Blackhole,
            Expect::Pass,
            "a TCP connect only proves that something accepts connections",
        ),
        (
            Step::Slow,
            Expect::Pass,
            "the connect handshake is not delayed; only data is",
        ),
    ];
    let profile = Profile {
        declared: &declared,
        round_trip: false,
        details: &["latency_ms", "peer"],
    };
    matrix::run(&POSTGRES, profile, async |addr| TcpCheck::new("tcp", addr.to_string())).await;
}
