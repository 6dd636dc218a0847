//! PostgreSQL through sqlx: `checks::postgres`.

use std::time::Duration;

use health_core::checks::postgres::{self, PgPoolCheck};
use health_core::prelude::*;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::matrix::{self, Profile, POOL_DETAILS};
use crate::servers::POSTGRES;

/// A pool as an application would make it, lazily connected to `url`.
fn pool(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy(url)
        .expect("a valid PostgreSQL URL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_postgres_fault_matrix() {
    let profile = Profile {
        details: POOL_DETAILS,
        ..Profile::ROUND_TRIP
    };
    matrix::run(&POSTGRES, profile, async |addr| {
        PgPoolCheck::new("postgres", pool(&POSTGRES.url_via(addr)))
    })
    .await;
}

struct AppState {
    db: PgPool,
}

/// The one-line wrapper the module docs show.
#[health_check(critical, timeout = "2s")]
async fn primary_db(state: &AppState) -> CheckOutcome {
    postgres::ping(&state.db).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_postgres_ping_in_an_annotated_check() {
    POSTGRES.addr().await;
    let health = Health::builder(AppState {
        db: pool(&POSTGRES.url()),
    })
    .build()
    .unwrap();
    let ready = health.readiness().await;
    assert_eq!(ready.status(), Status::Ready, "{ready:?}");
    let result = ready.check("primary_db").unwrap();
    assert_eq!(result.details().get("pool_size"), Some(&1usize.into()));
    assert_eq!(result.details().get("pool_max"), Some(&2usize.into()));
}
