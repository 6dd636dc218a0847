//! SQLite through sqlx (feature `sqlx-sqlite`).
//!
//! Runs `SELECT sqlite_version()` on a connection from the application's
//! [`SqlitePool`]: it proves the pool hands out working connections (a
//! locked, deleted or unreadable database file fails here).
//!
//! Details: `latency_ms` (acquire + statement), `server_version` (the SQLite
//! library version), `pool_size`, `pool_available`, `pool_in_use`, `pool_max`.
//!
//! ```
//! use health_core::checks::sqlite::{self, SqlitePoolCheck};
//! use health_core::prelude::*;
//! use sqlx::SqlitePool;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = SqlitePool::connect("sqlite::memory:").await?;
//! let outcome = sqlite::ping(&pool).await;
//! assert!(outcome.is_pass());
//! assert!(outcome.details().get("server_version").is_some());
//!
//! let health = Health::builder(())
//!     .check(SqlitePoolCheck::new("local_db", pool).critical())
//!     .build()?;
//! assert_eq!(health.readiness().await.status(), Status::Ready);
//! # Ok(())
//! # }
//! ```

use sqlx::{Sqlite, SqlitePool};

use crate::checks::sqlx_pool::{self, SqlxPoolCheck};
use crate::model::outcome::CheckOutcome;

/// Checks a SQLite pool: acquires a connection and runs `SELECT sqlite_version()`.
pub async fn ping(pool: &SqlitePool) -> CheckOutcome {
    sqlx_pool::ping(pool).await
}

/// A [`Check`](crate::Check) on a sqlx [`SqlitePool`]: `SqlitePoolCheck::new("db", pool)`.
pub type SqlitePoolCheck = SqlxPoolCheck<Sqlite>;
