//! NATS through async-nats (feature `nats`).
//!
//! Reads the client's connection state (failing at once while it is
//! disconnected or reconnecting), then makes a round trip through the server
//! over the application's connection: it subscribes to a fresh inbox
//! subject (`_INBOX.…`, which request/reply clients may use), publishes an
//! empty message to it and waits for the message to come back. (async-nats'
//! `flush` only writes the client's buffer; it waits for no answer.)
//!
//! Details: `state`, `latency_ms` (the round trip), `server_version`,
//! `connects` (connections made so far: more than one means reconnections).
//!
//! ```no_run
//! use health_core::checks::nats::{self, NatsCheck};
//! use health_core::prelude::*;
//!
//! struct AppState {
//!     nats: async_nats::Client,
//! }
//!
//! #[health_check(critical, timeout = "1s")]
//! async fn bus(state: &AppState) -> CheckOutcome {
//!     nats::ping(&state.nats).await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = async_nats::connect("nats://127.0.0.1:4222").await?;
//! let health = Health::builder(AppState { nats: client.clone() })
//!     .check(NatsCheck::new("events", client))
//!     .build()?;
//! println!("{}", health.readiness().await.status());
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use async_nats::connection::State;
use async_nats::Client;
use futures_util::StreamExt;

use crate::checks::{builtin_check, error_chain, timed, with_latency};
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// Checks a NATS client: its connection state, then a flush round trip.
pub async fn ping(client: &Client) -> CheckOutcome {
    let state = client.connection_state();
    let details = |outcome: CheckOutcome| {
        outcome
            .with_detail("state", state.to_string())
            .with_detail("server_version", client.server_info().version)
            .with_detail("connects", client.statistics().connects.load(Ordering::Relaxed))
    };
    if state != State::Connected {
        return details(CheckOutcome::fail(format_args!("nats: connection is {state}")));
    }
    let (echoed, latency) = timed(round_trip(client)).await;
    let outcome = match echoed {
        Ok(()) => CheckOutcome::pass(),
        Err(e) => CheckOutcome::fail(format_args!("nats: {e}")),
    };
    details(with_latency(outcome, latency))
}

/// Sends an empty message to a fresh inbox subject and waits for it.
async fn round_trip(client: &Client) -> Result<(), String> {
    let inbox = client.new_inbox();
    let mut echo = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| format!("subscribe: {}", error_chain(&e)))?;
    client
        .publish(inbox, Default::default())
        .await
        .map_err(|e| format!("publish: {}", error_chain(&e)))?;
    client
        .flush()
        .await
        .map_err(|e| format!("flush: {}", error_chain(&e)))?;
    match echo.next().await {
        Some(_) => Ok(()),
        None => Err("the subscription ended before the message came back".into()),
    }
}

/// A [`Check`](crate::Check) on an async-nats [`Client`] (see [`ping`]); a
/// non-critical readiness check with a 1 s deadline unless adjusted.
#[derive(Debug, Clone)]
pub struct NatsCheck {
    spec: CheckSpec,
    client: Client,
}

impl NatsCheck {
    /// A check called `name` on `client` (a clone of the application's
    /// client: it shares the connection).
    pub fn new(name: impl Into<Cow<'static, str>>, client: Client) -> NatsCheck {
        NatsCheck {
            spec: CheckSpec::with_name(name.into()),
            client,
        }
    }
}

builtin_check!(NatsCheck, |this| ping(&this.client));
