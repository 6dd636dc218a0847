//! The demo's health: its state, its four checks, and a derived report.
//!
//! - `primary_db` (critical readiness): without its database the service
//!   cannot answer; 503 `not_ready`.
//! - `cache` (readiness, not critical): without Redis it is slower but
//!   serves; 200 `degraded`.
//! - `catalog_warmed` (startup): the catalog loads for a few seconds after
//!   start; until then `/health/startup` and `/health/ready` say `starting`.
//! - `event_loop` (liveness): a watchdog on a heartbeat task; it fails only
//!   when the runtime stalls, the one thing a restart fixes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use health_core::checks::{postgres, redis as redis_check, sqlite};
use health_core::prelude::*;
use redis::aio::ConnectionManager;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::db::Db;

/// Everything the routes and the checks share.
pub struct AppState {
    pub db: Db,
    pub cache: Option<Cache>,
    pub catalog: Catalog,
    pub heartbeat: Heartbeat,
}

/// Redis, connected on first use so the service starts without it.
pub struct Cache {
    client: redis::Client,
    manager: Mutex<Option<ConnectionManager>>,
}

impl Cache {
    pub fn new(url: &str) -> Result<Cache, redis::RedisError> {
        Ok(Cache {
            client: redis::Client::open(url)?,
            manager: Mutex::new(None),
        })
    }

    /// The shared connection manager (it reconnects by itself once made).
    pub async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut manager = self.manager.lock().await;
        if let Some(manager) = manager.as_ref() {
            return Ok(manager.clone());
        }
        let made = ConnectionManager::new(self.client.clone()).await?;
        *manager = Some(made.clone());
        Ok(made)
    }
}

/// A catalog loaded at start-up: the thing the startup check waits for.
pub struct Catalog {
    loaded: AtomicBool,
    started: Instant,
}

impl Catalog {
    pub fn new() -> Catalog {
        Catalog {
            loaded: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    /// Loads the catalog (here: takes `warmup`, as reading a large table would).
    pub fn load_in_background(state: Arc<AppState>, warmup: Duration) {
        tokio::spawn(async move {
            tokio::time::sleep(warmup).await;
            state.catalog.loaded.store(true, Ordering::Release);
            tracing::info!("catalog loaded");
        });
    }
}

/// A task that beats every 250 ms; its age tells whether the runtime still
/// schedules work.
pub struct Heartbeat {
    epoch: Instant,
    last_beat_ms: AtomicU64,
}

impl Heartbeat {
    const PERIOD: Duration = Duration::from_millis(250);
    /// A heartbeat older than this means the runtime is stuck, not busy:
    /// the 10 s that liveness allows a late background result
    /// (`docs/design.md`, "Staleness under load"), so that load is never
    /// read as death.
    const STALLED_AFTER: Duration = Duration::from_secs(10);

    pub fn new() -> Heartbeat {
        Heartbeat {
            epoch: Instant::now(),
            last_beat_ms: AtomicU64::new(0),
        }
    }

    pub fn start(state: Arc<AppState>) {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Heartbeat::PERIOD);
            loop {
                ticks.tick().await;
                let now = state.heartbeat.epoch.elapsed().as_millis() as u64;
                state.heartbeat.last_beat_ms.store(now, Ordering::Release);
            }
        });
    }

    fn age(&self) -> Duration {
        let last = Duration::from_millis(self.last_beat_ms.load(Ordering::Acquire));
        self.epoch.elapsed().saturating_sub(last)
    }
}

/// Critical: the primary database answers through the pool.
#[health_check(critical, timeout = "2s", interval = "2s")]
pub async fn primary_db(state: &AppState) -> CheckOutcome {
    match &state.db {
        Db::Sqlite(pool) => sqlite::ping(pool).await,
        Db::Postgres(pool) => postgres::ping(pool).await,
    }
}

/// Not critical: Redis answers `PING` (failing while `REDIS_URL` is unset).
#[health_check(timeout = "500ms", interval = "2s")]
pub async fn cache(state: &AppState) -> CheckOutcome {
    let Some(cache) = &state.cache else {
        return CheckOutcome::fail("no cache configured: set REDIS_URL to use Redis");
    };
    match cache.connection().await {
        Ok(mut connection) => redis_check::ping(&mut connection).await,
        Err(e) => CheckOutcome::fail(format_args!("redis: {e}")),
    }
}

/// Startup: the catalog finished loading.
#[health_check(startup, timeout = "100ms", interval = "500ms")]
pub async fn catalog_warmed(state: &AppState) -> Result<(), String> {
    match state.catalog.loaded.load(Ordering::Acquire) {
        true => Ok(()),
        false => Err(format!(
            "catalog still loading ({:.1}s since start)",
            state.catalog.started.elapsed().as_secs_f64()
        )),
    }
}

/// Liveness: the heartbeat task still runs.
#[health_check(liveness, timeout = "100ms", interval = "1s")]
pub async fn event_loop(state: &AppState) -> Result<(), CheckError> {
    let age = state.heartbeat.age();
    if age > Heartbeat::STALLED_AFTER {
        return Err(CheckError::new(format!("runtime stalled: last heartbeat {age:?} ago")));
    }
    Ok(())
}

/// The dependencies, as `GET /status` reports them (from the registry's cache).
#[derive(HealthReport)]
#[health(state = AppState)]
pub struct Readiness {
    pub primary_db: CheckResult,
    pub cache: CheckResult,
}
