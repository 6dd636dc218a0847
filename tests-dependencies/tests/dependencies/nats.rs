//! NATS through async-nats: `checks::nats`.

use std::time::Duration;

use health_core::checks::nats::NatsCheck;

use crate::matrix::{self, Profile};
use crate::servers::NATS;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_fault_matrix() {
    let profile = Profile {
        details: &["latency_ms", "state", "server_version", "connects"],
        ..Profile::ROUND_TRIP
    };
    matrix::run(&NATS, profile, async |addr| {
        let client = async_nats::ConnectOptions::new()
            .reconnect_delay_callback(|_attempts| Duration::from_millis(50))
            .connect(NATS.url_via(addr))
            .await
            .expect("connect to NATS through the proxy");
        NatsCheck::new("nats", client)
    })
    .await;
}
