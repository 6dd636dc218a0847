//! PostgreSQL through deadpool-postgres: `checks::deadpool_postgres`.

use deadpool_postgres::tokio_postgres::NoTls;
use deadpool_postgres::{Config, Pool, PoolConfig, Runtime};
use health_core::checks::deadpool_postgres::DeadpoolPostgresCheck;
use health_core::Reason;

use crate::matrix::{self, closed_port, Profile};
use crate::servers::POSTGRES;

fn pool(url: &str) -> Pool {
    let mut config = Config::new();
    config.url = Some(url.to_owned());
    config.pool = Some(PoolConfig::new(2));
    config
        .create_pool(Some(Runtime::Tokio1), NoTls)
        .expect("a valid PostgreSQL URL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadpool_postgres_fault_matrix() {
    let profile = Profile {
        details: &[
            "latency_ms",
            "server_version",
            "pool_size",
            "pool_available",
            "pool_in_use",
            "pool_max",
            "pool_waiting",
        ],
        ..Profile::ROUND_TRIP
    };
    matrix::run(&POSTGRES, profile, async |addr| {
        DeadpoolPostgresCheck::new("postgres", pool(&POSTGRES.url_via(addr)))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadpool_postgres_errors_carry_no_credentials() {
    let url = format!("postgres://app:s3cret@127.0.0.1:{}/app", closed_port());
    let result = matrix::run_once(DeadpoolPostgresCheck::new("postgres", pool(&url))).await;
    assert_eq!(result.reason(), Some(Reason::Error), "{result:?}");
    matrix::assert_redacted(&result, "s3cret");
}
