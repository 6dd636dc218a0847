//! RabbitMQ through lapin: `checks::rabbitmq`.

use std::time::Duration;

use health_core::checks::rabbitmq::RabbitMqCheck;
use lapin::{Connection, ConnectionProperties};

use crate::matrix::{self, Profile};
use crate::servers::AMQP;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lapin_fault_matrix() {
    let profile = Profile {
        details: &["latency_ms", "state", "heartbeat_s", "channel_max"],
        ..Profile::ROUND_TRIP
    };
    matrix::run(&AMQP, profile, async |addr| {
        // Auto-recovery is what makes a lapin connection come back on its own.
        let properties = ConnectionProperties::default()
            .enable_auto_recover()
            .configure_backoff(|backoff| {
                backoff
                    .with_min_delay(Duration::from_millis(10))
                    .with_max_delay(Duration::from_millis(100))
                    .with_max_times(1000)
            });
        let conn = Connection::connect(&AMQP.url_via(addr), properties)
            .await
            .expect("connect to RabbitMQ through the proxy");
        RabbitMqCheck::new("rabbitmq", conn)
    })
    .await;
}
