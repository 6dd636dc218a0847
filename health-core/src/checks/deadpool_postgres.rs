//! PostgreSQL through tokio-postgres pooled by deadpool (feature
//! `deadpool-postgres`).
//!
//! Takes a client from the application's [`Pool`] (deadpool recycles it
//! first, replacing closed connections) and runs `SHOW server_version`.
//!
//! Details: `latency_ms` (get + round trip), `server_version`, `pool_size`,
//! `pool_available`, `pool_in_use`, `pool_max`, `pool_waiting`.
//!
//! ```no_run
//! use deadpool_postgres::{Config, Runtime};
//! use health_core::checks::deadpool_postgres::{self as pg, DeadpoolPostgresCheck};
//! use health_core::prelude::*;
//! use deadpool_postgres::tokio_postgres::NoTls;
//!
//! struct AppState {
//!     pool: deadpool_postgres::Pool,
//! }
//!
//! #[health_check(critical, timeout = "2s")]
//! async fn primary_db(state: &AppState) -> CheckOutcome {
//!     pg::ping(&state.pool).await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = Config::new();
//! config.url = Some("postgres://app@127.0.0.1:5432/app".into());
//! let pool = config.create_pool(Some(Runtime::Tokio1), NoTls)?;
//! let health = Health::builder(AppState { pool: pool.clone() })
//!     .check(DeadpoolPostgresCheck::new("primary_db_pool", pool))
//!     .build()?;
//! println!("{}", health.readiness().await.status());
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;

use deadpool_postgres::Pool;

use crate::checks::{builtin_check, error_chain, timed, with_latency, with_pool};
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Checks a deadpool-postgres pool: gets a client and runs `SHOW server_version`.
pub async fn ping(pool: &Pool) -> CheckOutcome {
    let (version, latency) = timed(async {
        let client = pool.get().await.map_err(|e| error_chain(&e))?;
        let row = client
            .query_one("SHOW server_version", &[])
            .await
            .map_err(|e| error_chain(&e))?;
        row.try_get::<_, String>(0).map_err(|e| error_chain(&e))
    })
    .await;
    let outcome = match version {
        Ok(version) => CheckOutcome::pass().with_detail("server_version", version),
        Err(e) => CheckOutcome::fail(format_args!("postgres: {e}")),
    };
    let status = pool.status();
    with_pool(
        with_latency(outcome, latency),
        status.size,
        status.available,
        status.max_size,
    )
    .with_detail("pool_waiting", status.waiting)
}

/// A [`Check`](crate::Check) on a deadpool-postgres [`Pool`] (see [`ping`]);
/// a non-critical readiness check with a 1 s deadline unless adjusted.
#[derive(Debug, Clone)]
pub struct DeadpoolPostgresCheck {
    spec: CheckSpec,
    pool: Pool,
}

impl DeadpoolPostgresCheck {
    /// A check called `name` on `pool` (a clone of the application's pool).
    pub fn new(name: impl Into<Cow<'static, str>>, pool: Pool) -> DeadpoolPostgresCheck {
        DeadpoolPostgresCheck {
            spec: CheckSpec::with_name(name.into()),
            pool,
        }
    }
}

builtin_check!(DeadpoolPostgresCheck, |this| ping(&this.pool));
