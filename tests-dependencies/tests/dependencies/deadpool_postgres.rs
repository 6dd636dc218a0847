//! PostgreSQL through deadpool-postgres: `checks::deadpool_postgres`.

use deadpool_postgres::tokio_postgres::NoTls;
use deadpool_postgres::{Config, Pool, PoolConfig, Runtime};
use health_core::checks::deadpool_postgres::{self as pg, DeadpoolPostgresCheck};

use crate::matrix::{self, Profile, POOL_DETAILS};

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
        details: POOL_DETAILS,
        ..Profile::ROUND_TRIP
    };
    matrix::run(&POSTGRES, profile, async |addr| {
        DeadpoolPostgresCheck::new("postgres", pool(&POSTGRES.url_via(addr)))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadpool_postgres_ping_reports_the_pool_status() {
    POSTGRES.addr().await;
    let pool = pool(&POSTGRES.url());
    let outcome = pg::ping(&pool).await;
    assert!(outcome.is_pass(), "{outcome:?}");
    let details = outcome.details();
    assert_eq!(details.get("pool_size"), Some(&1usize.into()), "{outcome:?}");
    assert_eq!(
        details.get("pool_available"),
        Some(&1usize.into()),
        "the client went back"
    );
    assert_eq!(details.get("pool_max"), Some(&2usize.into()));
    assert_eq!(details.get("pool_waiting"), Some(&0usize.into()));
}
