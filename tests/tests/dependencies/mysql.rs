//! MySQL/MariaDB through sqlx: `checks::mysql`.

use std::time::Duration;

use health_core::checks::mysql::MySqlPoolCheck;
use health_core::Reason;
use sqlx::mysql::MySqlPoolOptions;
use sqlx::MySqlPool;

use crate::matrix::{self, closed_port, Profile};
use crate::servers::MYSQL;

fn pool(url: &str) -> MySqlPool {
    MySqlPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy(url)
        .expect("a valid MySQL URL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_mysql_fault_matrix() {
    let profile = Profile {
        details: &[
            "latency_ms",
            "server_version",
            "pool_size",
            "pool_available",
            "pool_in_use",
            "pool_max",
        ],
        ..Profile::ROUND_TRIP
    };
    matrix::run(&MYSQL, profile, async |addr| {
        MySqlPoolCheck::new("mysql", pool(&MYSQL.url_via(addr)))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_mysql_errors_carry_no_credentials() {
    let url = format!("mysql://app:s3cret@127.0.0.1:{}/app", closed_port());
    let result = matrix::run_once(MySqlPoolCheck::new("mysql", pool(&url))).await;
    assert_eq!(result.reason(), Some(Reason::Error), "{result:?}");
    matrix::assert_redacted(&result, "s3cret");
}
