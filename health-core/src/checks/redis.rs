//! Redis through redis-rs (feature `redis`).
//!
//! Sends `PING` (timed: `latency_ms`) and `INFO server` (for
//! `server_version`) on the application's connection. [`ping`] takes any
//! async connection (a `MultiplexedConnection`, a deadpool-redis or bb8
//! pooled connection, ...); [`RedisCheck`] holds a [`ConnectionManager`],
//! which reconnects on its own after the connection broke.
//!
//! Details: `latency_ms` (the `PING` round trip), `server_version`.
//!
//! ```no_run
//! use health_core::checks::redis::{self as redis_check, RedisCheck};
//! use health_core::prelude::*;
//! use redis::aio::ConnectionManager;
//!
//! struct AppState {
//!     cache: ConnectionManager,
//! }
//!
//! /// Not critical: without the cache the service is slower, not down.
//! #[health_check(timeout = "500ms")]
//! async fn cache(state: &AppState) -> CheckOutcome {
//!     redis_check::ping(&mut state.cache.clone()).await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = redis::Client::open("redis://127.0.0.1:6379")?;
//! let manager = ConnectionManager::new(client).await?;
//! let health = Health::builder(AppState { cache: manager.clone() })
//!     .check(RedisCheck::new("sessions", manager))
//!     .build()?;
//! println!("{}", health.readiness().await.status());
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;

use ::redis::aio::{ConnectionLike, ConnectionManager};

use crate::checks::{builtin_check, error_chain, timed, with_latency};
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Checks a Redis connection: `PING` (expects `PONG`), then `INFO server`
/// for the version.
pub async fn ping<C: ConnectionLike + Send>(conn: &mut C) -> CheckOutcome {
    let (pong, latency) = timed(::redis::cmd("PING").query_async::<String>(conn)).await;
    let outcome = match pong {
        Ok(pong) if pong == "PONG" => CheckOutcome::pass(),
        Ok(other) => CheckOutcome::fail(format_args!("redis: PING answered {other:?}")),
        Err(e) => return with_latency(CheckOutcome::fail(format_args!("redis: {}", error_chain(&e))), latency),
    };
    let outcome = with_latency(outcome, latency);
    match ::redis::cmd("INFO").arg("server").query_async::<String>(conn).await {
        Ok(info) => match server_version(&info) {
            Some(version) => outcome.with_detail("server_version", version),
            None => outcome,
        },
        Err(e) => with_latency(
            CheckOutcome::fail(format_args!("redis: INFO server: {}", error_chain(&e))),
            latency,
        ),
    }
}

/// The `redis_version` field of an `INFO server` answer.
fn server_version(info: &str) -> Option<&str> {
    info.lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .map(str::trim)
}

/// A [`Check`](crate::Check) on a redis-rs [`ConnectionManager`] (see
/// [`ping`]); a non-critical readiness check with a 1 s deadline unless
/// adjusted.
#[derive(Debug, Clone)]
pub struct RedisCheck {
    spec: CheckSpec,
    manager: ConnectionManager,
}

impl RedisCheck {
    /// A check called `name` on `manager` (a clone of the application's
    /// manager: it shares the connection).
    pub fn new(name: impl Into<Cow<'static, str>>, manager: ConnectionManager) -> RedisCheck {
        RedisCheck {
            spec: CheckSpec::with_name(name.into()),
            manager,
        }
    }
}

builtin_check!(RedisCheck, |this| async move { ping(&mut this.manager.clone()).await });

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_read_from_info_server() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n";
        assert_eq!(super::server_version(info), Some("7.0.15"));
        assert_eq!(super::server_version("# Server\r\n"), None);
    }
}
