//! MySQL and MariaDB through sqlx (feature `sqlx-mysql`).
//!
//! Runs `SELECT VERSION()` on a connection from the application's
//! [`MySqlPool`]: a real round trip on the pool the application uses.
//!
//! Details: `latency_ms` (acquire + round trip), `server_version`,
//! `pool_size`, `pool_available`, `pool_in_use`, `pool_max`.
//!
//! ```no_run
//! use health_core::checks::mysql::{self, MySqlPoolCheck};
//! use health_core::prelude::*;
//! use sqlx::MySqlPool;
//!
//! #[health_check(critical, timeout = "2s")]
//! async fn orders_db(pool: &MySqlPool) -> CheckOutcome {
//!     mysql::ping(pool).await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = MySqlPool::connect_lazy("mysql://app@127.0.0.1:3306/app")?;
//! let health = Health::builder(pool.clone())
//!     .check(MySqlPoolCheck::new("orders_db_pool", pool).critical())
//!     .build()?;
//! println!("{}", health.readiness().await.status());
//! # Ok(())
//! # }
//! ```

use sqlx::{MySql, MySqlPool};

use crate::checks::sqlx_pool::{self, SqlxPoolCheck};
use crate::model::outcome::CheckOutcome;

/// Checks a MySQL/MariaDB pool: acquires a connection and runs `SELECT VERSION()`.
pub async fn ping(pool: &MySqlPool) -> CheckOutcome {
    sqlx_pool::ping(pool).await
}

/// A [`Check`](crate::Check) on a sqlx [`MySqlPool`]: `MySqlPoolCheck::new("db", pool)`.
pub type MySqlPoolCheck = SqlxPoolCheck<MySql>;
