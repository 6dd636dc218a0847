//! The demo's database: SQLite created on the fly by default, PostgreSQL
//! when `DATABASE_URL` points at one.

use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};

/// One of the two databases the demo runs on.
#[derive(Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An order, as the routes show it.
#[derive(Serialize)]
pub struct Order {
    pub id: i64,
    pub item: String,
    pub quantity: i64,
}

/// What `POST /orders` takes.
#[derive(Deserialize)]
pub struct NewOrder {
    pub item: String,
    pub quantity: i64,
}

/// How long a query may wait for a pooled connection: a dead database must
/// fail requests quickly, not queue them. Longer than the `primary_db`
/// check's 2 s deadline, so a hung database reports `timeout` there.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl Db {
    /// A pool for `url` (`postgres://...` or `sqlite://...`). Connections are
    /// opened lazily: the service starts even while its database is down,
    /// and readiness says so.
    pub fn connect_lazy(url: &str) -> Result<Db, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(5)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_lazy(url)?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(5)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_lazy_with(options);
            Ok(Db::Sqlite(pool))
        }
    }

    /// `postgres` or `sqlite`.
    pub fn kind(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Creates the table if missing.
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(pool) => {
                sqlx::query(
                    "CREATE TABLE IF NOT EXISTS demo_orders (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL, quantity INTEGER NOT NULL)",
                )
                .execute(pool)
                .await?;
            }
            Db::Postgres(pool) => {
                sqlx::query(
                    "CREATE TABLE IF NOT EXISTS demo_orders (
                        id BIGSERIAL PRIMARY KEY, item TEXT NOT NULL, quantity BIGINT NOT NULL)",
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// The latest orders, newest first.
    pub async fn orders(&self) -> Result<Vec<Order>, sqlx::Error> {
        const QUERY: &str = "SELECT id, item, quantity FROM demo_orders ORDER BY id DESC LIMIT 50";
        let order = |id: i64, item: String, quantity: i64| Order { id, item, quantity };
        match self {
            Db::Sqlite(pool) => {
                let rows = sqlx::query(QUERY).fetch_all(pool).await?;
                rows.iter()
                    .map(|r| Ok(order(r.try_get("id")?, r.try_get("item")?, r.try_get("quantity")?)))
                    .collect()
            }
            Db::Postgres(pool) => {
                let rows = sqlx::query(QUERY).fetch_all(pool).await?;
                rows.iter()
                    .map(|r| Ok(order(r.try_get("id")?, r.try_get("item")?, r.try_get("quantity")?)))
                    .collect()
            }
        }
    }

    /// Stores an order and returns it with its id.
    pub async fn insert(&self, new: NewOrder) -> Result<Order, sqlx::Error> {
        const INSERT: &str = "INSERT INTO demo_orders (item, quantity) VALUES ($1, $2) RETURNING id";
        let id: i64 = match self {
            Db::Sqlite(pool) => sqlx::query(INSERT)
                .bind(&new.item)
                .bind(new.quantity)
                .fetch_one(pool)
                .await?
                .try_get("id")?,
            Db::Postgres(pool) => sqlx::query(INSERT)
                .bind(&new.item)
                .bind(new.quantity)
                .fetch_one(pool)
                .await?
                .try_get("id")?,
        };
        Ok(Order {
            id,
            item: new.item,
            quantity: new.quantity,
        })
    }
}
