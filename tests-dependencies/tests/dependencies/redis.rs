//! Redis through redis-rs: `checks::redis`.

use std::time::Duration;

use health_core::checks::redis::{self as redis_check, RedisCheck};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::matrix::{self, Profile};
use crate::servers::REDIS;

/// A connection manager as an application would configure it: reconnecting
/// with short back-off.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_min_delay(Duration::from_millis(10))
        .set_max_delay(Duration::from_millis(100))
        .set_connection_timeout(Some(Duration::from_secs(2)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_connection_manager_fault_matrix() {
    let profile = Profile {
        details: &["latency_ms", "server_version"],
        ..Profile::ROUND_TRIP
    };
    matrix::run(&REDIS, profile, async |addr| {
        let client = redis::Client::open(REDIS.url_via(addr)).expect("a valid Redis URL");
        let manager = ConnectionManager::new_with_config(client, manager_config())
            .await
            .expect("connect to Redis through the proxy");
        RedisCheck::new("redis", manager)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_ping_works_on_a_multiplexed_connection() {
    let client = redis::Client::open(REDIS.url()).expect("a valid Redis URL");
    REDIS.addr().await;
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let outcome = redis_check::ping(&mut conn).await;
    assert!(outcome.is_pass(), "{outcome:?}");
    assert!(outcome.details().get("server_version").is_some());
}
