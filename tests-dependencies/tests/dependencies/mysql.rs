//! MySQL/MariaDB through sqlx: `checks::mysql`.

use std::time::Duration;

use health_core::checks::mysql::MySqlPoolCheck;
use sqlx::mysql::MySqlPoolOptions;
use sqlx::MySqlPool;

use crate::matrix::{self, Profile, POOL_DETAILS};
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
        details: POOL_DETAILS,
        ..Profile::ROUND_TRIP
    };
    matrix::run(&MYSQL, profile, async |addr| {
        MySqlPoolCheck::new("mysql", pool(&MYSQL.url_via(addr)))
    })
    .await;
}
