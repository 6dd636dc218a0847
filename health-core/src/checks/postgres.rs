//! PostgreSQL through sqlx (feature `sqlx-postgres`).
//!
//! Runs `SHOW server_version` on a connection from the application's
//! [`PgPool`]: a real round trip on the pool the application uses.
//!
//! Details: `latency_ms` (acquire + round trip), `server_version`,
//! `pool_size`, `pool_available`, `pool_in_use`, `pool_max`.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use health_core::checks::postgres::{self, PgPoolCheck};
//! use health_core::prelude::*;
//! use sqlx::PgPool;
//!
//! struct AppState {
//!     db: PgPool,
//! }
//!
//! // As a one-line annotated check ...
//! #[health_check(critical, timeout = "2s")]
//! async fn primary_db(state: &AppState) -> CheckOutcome {
//!     postgres::ping(&state.db).await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let db = PgPool::connect_lazy("postgres://app@127.0.0.1:5432/app")?;
//! // ... or as a check object added at run time.
//! let health = Health::builder(AppState { db: db.clone() })
//!     .check(PgPoolCheck::new("replica_db", db).timeout(Duration::from_millis(500)))
//!     .build()?;
//! assert_eq!(health.readiness().await.status(), Status::Ready);
//! # Ok(())
//! # }
//! ```

use sqlx::{PgPool, Postgres};

use crate::checks::sqlx_pool::{self, SqlxPoolCheck};
use crate::model::outcome::CheckOutcome;

/// Checks a PostgreSQL pool: acquires a connection and runs `SHOW server_version`.
pub async fn ping(pool: &PgPool) -> CheckOutcome {
    sqlx_pool::ping(pool).await
}

/// A [`Check`](crate::Check) on a sqlx [`PgPool`]: `PgPoolCheck::new("db", pool)`.
pub type PgPoolCheck = SqlxPoolCheck<Postgres>;
