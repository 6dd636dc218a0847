//! What the sqlx checks share (features `sqlx-postgres`, `sqlx-mysql`,
//! `sqlx-sqlite`): acquire a connection from the application's pool (sqlx
//! tests idle connections before handing them out, so dead ones are
//! replaced), run one statement that returns the server version, and report
//! the pool.
//!
//! A sqlx pool retries a refused connection until its `acquire_timeout`
//! (it assumes the server is starting), so a server that is down would only
//! show as a `timeout` without a cause. When the pool has not handed out a
//! connection after [`DIAGNOSE_AFTER`], the check therefore opens one
//! connection of its own with the pool's options: if that fails, the check
//! fails at once with the driver's error; if it succeeds, it is closed and
//! the check keeps waiting for the pool (which may be exhausted). So while a
//! pool stays exhausted, each run of the check opens and closes at most one
//! extra connection; a healthy pool answers well within the 100 ms and sees
//! none.
//!
//! Use the aliases of the database modules: `postgres::PgPoolCheck`,
//! `mysql::MySqlPoolCheck`, `sqlite::SqlitePoolCheck`.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use sqlx::{ColumnIndex, Connection, Database, Decode, Executor, Pool, Row, Type};

use crate::checks::{builtin_check, error_chain, timed, with_latency, with_pool};
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// A sqlx database the built-in checks know: how to name it in errors and
/// which statement returns its version. Sealed: implemented for the
/// databases whose feature is enabled.
pub trait SqlxDatabase: Database + private::Sealed
where
    for<'c> &'c mut Self::Connection: Executor<'c, Database = Self>,
    String: for<'r> Decode<'r, Self> + Type<Self>,
    usize: ColumnIndex<Self::Row>,
{
    /// The name used in error texts (`postgres`, `mysql`, `sqlite`).
    const SYSTEM: &'static str;
    /// A statement returning the server version as text.
    const VERSION_SQL: &'static str;
}

mod private {
    pub trait Sealed {}
}

macro_rules! sqlx_database {
    ($feature:literal, $db:ty, $system:literal, $sql:literal) => {
        #[cfg(feature = $feature)]
        impl private::Sealed for $db {}
        #[cfg(feature = $feature)]
        impl SqlxDatabase for $db {
            const SYSTEM: &'static str = $system;
            const VERSION_SQL: &'static str = $sql;
        }
    };
}
sqlx_database!("sqlx-postgres", sqlx::Postgres, "postgres", "SHOW server_version");
sqlx_database!("sqlx-mysql", sqlx::MySql, "mysql", "SELECT VERSION()");
sqlx_database!("sqlx-sqlite", sqlx::Sqlite, "sqlite", "SELECT sqlite_version()");

/// Acquires a connection from `pool`, runs the database's version statement
/// and reports `latency_ms` (acquire plus round trip), `server_version` and
/// the pool details (`pool_size`, `pool_available`, `pool_in_use`, `pool_max`).
pub async fn ping<DB>(pool: &Pool<DB>) -> CheckOutcome
where
    DB: SqlxDatabase,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: for<'r> Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    let (version, latency) = timed(async {
        let mut conn = tokio::select! {
            biased;
            acquired = pool.acquire() => acquired?,
            failed = diagnose_after(pool, DIAGNOSE_AFTER) => return Err(failed),
        };
        let row = conn.fetch_one(DB::VERSION_SQL).await?;
        row.try_get::<String, usize>(0)
    })
    .await;
    let outcome = match version {
        Ok(version) => CheckOutcome::pass().with_detail("server_version", version),
        Err(e) => CheckOutcome::fail(format_args!("{}: {}", DB::SYSTEM, error_chain(&e))),
    };
    let max = pool.options().get_max_connections() as usize;
    with_pool(
        with_latency(outcome, latency),
        pool.size() as usize,
        pool.num_idle(),
        max,
    )
}

/// How long the check waits for the pool before it diagnoses with a
/// connection of its own.
pub const DIAGNOSE_AFTER: Duration = Duration::from_millis(100);

/// After `delay`, opens a connection with the pool's options: resolves with
/// its error if that fails, never resolves if it succeeds (the connection is
/// closed; the pool is merely slow or exhausted).
async fn diagnose_after<DB: Database>(pool: &Pool<DB>, delay: Duration) -> sqlx::Error {
    tokio::time::sleep(delay).await;
    match DB::Connection::connect_with(&pool.connect_options()).await {
        Err(e) => e,
        Ok(conn) => {
            let _ = conn.close().await;
            std::future::pending().await
        }
    }
}

/// A [`Check`](crate::Check) on a sqlx pool (see [`ping`]); a non-critical
/// readiness check with a 1 s deadline unless adjusted.
pub struct SqlxPoolCheck<DB: Database> {
    spec: CheckSpec,
    pool: Pool<DB>,
}

impl<DB: Database> SqlxPoolCheck<DB> {
    /// A check called `name` on `pool` (a clone of the application's pool
    /// handle: it shares the connections).
    pub fn new(name: impl Into<Cow<'static, str>>, pool: Pool<DB>) -> Self {
        SqlxPoolCheck {
            spec: CheckSpec::with_name(name.into()),
            pool,
        }
    }
}

impl<DB: Database> fmt::Debug for SqlxPoolCheck<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlxPoolCheck")
            .field("spec", &self.spec)
            .field("pool", &self.pool)
            .finish()
    }
}

builtin_check!(
    impl [DB: SqlxDatabase] SqlxPoolCheck<DB>
    where [for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>, String: for<'r> Decode<'r, DB> + Type<DB>, usize: ColumnIndex<DB::Row>],
    |this| ping(&this.pool)
);
