//! RabbitMQ (AMQP 0.9.1) through lapin (feature `lapin`).
//!
//! A connection's state flags lag a silent broker by up to two heartbeats,
//! so the check does a real round trip: it reads the state (failing at once
//! when the connection is not connected, or when the broker blocked it on a
//! resource alarm), then opens a channel and closes it again
//! (`channel.open`/`channel.close`: two round trips, no queue or exchange
//! touched).
//!
//! Details: `state` (`connected`, `connecting`, `reconnecting`, `closing`,
//! `closed`, `error`), `latency_ms` (open + close), `heartbeat_s`,
//! `channel_max`.
//!
//! A lapin [`Connection`] is not a pool: once lost it comes back only with
//! lapin's auto-recovery (`ConnectionProperties::enable_auto_recover()`);
//! without it the check keeps failing until the application reconnects.
//!
//! ```no_run
//! use health_core::checks::rabbitmq::{self, RabbitMqCheck};
//! use health_core::prelude::*;
//! use lapin::{Connection, ConnectionProperties};
//! use std::sync::Arc;
//!
//! struct AppState {
//!     amqp: Arc<Connection>,
//! }
//!
//! #[health_check(critical, timeout = "1s")]
//! async fn broker(state: &AppState) -> CheckOutcome {
//!     rabbitmq::ping(&state.amqp).await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let props = ConnectionProperties::default().enable_auto_recover();
//! let conn = Connection::connect("amqp://guest:guest@127.0.0.1:5672/%2f", props).await?;
//! // A lapin connection is not `Clone`: share it through an `Arc`.
//! let conn = Arc::new(conn);
//! let health = Health::builder(AppState { amqp: Arc::clone(&conn) })
//!     .check(RabbitMqCheck::new("broker_connection", conn).critical())
//!     .build()?;
//! println!("{}", health.readiness().await.status());
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use ::lapin::{Connection, ConnectionStatus};

use crate::checks::{builtin_check, error_chain, timed, with_latency};
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Checks a lapin connection: its state, then a channel opened and closed.
pub async fn ping(conn: &Connection) -> CheckOutcome {
    let status = conn.status();
    let state = state_name(status);
    let config = conn.configuration();
    let details = |outcome: CheckOutcome| {
        outcome
            .with_detail("state", state)
            .with_detail("heartbeat_s", config.heartbeat())
            .with_detail("channel_max", config.channel_max())
    };
    if !status.connected() {
        return details(CheckOutcome::fail(format_args!("rabbitmq: connection is {state}")));
    }
    if status.blocked() {
        return details(CheckOutcome::fail(
            "rabbitmq: the broker blocked the connection (resource alarm: memory or disk)",
        ));
    }
    let (round_trip, latency) = timed(async {
        let channel = conn.create_channel().await?;
        channel.close(200, "health check".into()).await
    })
    .await;
    let outcome = match round_trip {
        Ok(()) => CheckOutcome::pass(),
        Err(e) => CheckOutcome::fail(format_args!("rabbitmq: {}", error_chain(&e))),
    };
    details(with_latency(outcome, latency))
}

/// The connection's state as the `state` detail names it.
fn state_name(status: &ConnectionStatus) -> &'static str {
    if status.connected() {
        "connected"
    } else if status.connecting() {
        "connecting"
    } else if status.reconnecting() {
        "reconnecting"
    } else if status.closing() {
        "closing"
    } else if status.closed() {
        "closed"
    } else if status.errored() {
        "error"
    } else {
        "initial"
    }
}

/// A [`Check`](crate::Check) on a lapin [`Connection`] (see [`ping`]); a
/// non-critical readiness check with a 1 s deadline unless adjusted.
#[derive(Clone)]
pub struct RabbitMqCheck {
    spec: CheckSpec,
    conn: Arc<Connection>,
}

impl RabbitMqCheck {
    /// A check called `name` on `conn` (a `Connection` or an
    /// `Arc<Connection>` shared with the application).
    pub fn new(name: impl Into<Cow<'static, str>>, conn: impl Into<Arc<Connection>>) -> RabbitMqCheck {
        RabbitMqCheck {
            spec: CheckSpec::with_name(name.into()),
            conn: conn.into(),
        }
    }
}

impl std::fmt::Debug for RabbitMqCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RabbitMqCheck")
            .field("spec", &self.spec)
            .field("state", &state_name(self.conn.status()))
            .finish()
    }
}

builtin_check!(RabbitMqCheck, |this| ping(&this.conn));
