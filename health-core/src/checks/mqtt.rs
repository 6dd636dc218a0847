//! MQTT through rumqttc (feature `mqtt`).
//!
//! rumqttc's [`EventLoop`](rumqttc::EventLoop) is driven by the application:
//! only the task that polls it sees the connection. So the check does not
//! touch the network; it reports what the event loop observed, through an
//! [`MqttMonitor`] the polling task feeds with every result of `poll()`:
//!
//! - no result observed yet: failing (the loop is not polled, or not wired);
//! - the latest result an error (refused, reset, `AwaitPingResp` after a
//!   missing `PINGRESP`, ...), or no `ConnAck` yet: failing with that error;
//! - connected, but no packet from the broker for more than two keep-alive
//!   periods: failing (the polling task stalled, or the broker went silent).
//!
//! Why no ping of its own: rumqttc keeps its request channel private, so a
//! check cannot send `PINGREQ`, and a `PUBLISH`/`SUBSCRIBE` round trip would
//! need topic permissions the application may not have. The event loop
//! already pings the broker every keep-alive period when the link is idle
//! and errors when the answer is missing; the check judges that evidence.
//! Hence a silent (blackholed) broker is reported within about two
//! keep-alive periods, as an `error`, not within the check's deadline, and
//! added latency below the keep-alive period is not seen.
//!
//! Details: `state` (`connected`, `disconnected`, `connecting`), `connects`
//! (`ConnAck`s so far), `keep_alive_s`, `last_packet_ms_ago`.
//!
//! ```no_run
//! use health_core::checks::mqtt::{self, MqttCheck, MqttMonitor};
//! use health_core::prelude::*;
//! use rumqttc::{AsyncClient, MqttOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let options = MqttOptions::new("my-service", "127.0.0.1", 1883);
//! let monitor = MqttMonitor::new(&options);
//! let (client, mut eventloop) = AsyncClient::new(options, 10);
//!
//! // The application's event-loop task reports every result to the monitor.
//! let observer = monitor.clone();
//! tokio::spawn(async move {
//!     loop {
//!         let polled = eventloop.poll().await;
//!         observer.observe(&polled);
//!         if polled.is_err() {
//!             // rumqttc reconnects on the next poll; don't spin.
//!             tokio::time::sleep(std::time::Duration::from_millis(500)).await;
//!         }
//!     }
//! });
//!
//! // A check object ...
//! let health = Health::builder(())
//!     .check(MqttCheck::new("telemetry", monitor.clone()))
//!     .build()?;
//! // ... or the function, in a #[health_check]: `mqtt::check(&state.mqtt_monitor)`.
//! let outcome = mqtt::check(&monitor);
//! println!("{outcome:?} {}", health.readiness().await.status());
//! # drop(client);
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rumqttc::{ConnectReturnCode, ConnectionError, Event, Incoming, MqttOptions, Outgoing};
// tokio's clock (the std clock outside a runtime): silence is judged on
// the runtime's time, which tests can pause.
use tokio::time::Instant;

use crate::checks::builtin_check;
use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// What the application's event-loop task observed of its MQTT connection.
///
/// Cheap to clone (a reference count): keep one in the event-loop task, one
/// in the check.
#[derive(Clone)]
pub struct MqttMonitor {
    keep_alive: Duration,
    observed: Arc<Mutex<Observed>>,
}

#[derive(Default)]
struct Observed {
    /// Whether any result of `poll()` was observed.
    polled: bool,
    connected: bool,
    connects: u64,
    last_error: Option<String>,
    last_packet: Option<Instant>,
}

impl MqttMonitor {
    /// A monitor for a connection made with `options` (it reads the keep-alive period).
    pub fn new(options: &MqttOptions) -> MqttMonitor {
        MqttMonitor::with_keep_alive(options.keep_alive())
    }

    /// A monitor for a connection whose keep-alive period is `keep_alive`
    /// (zero: keep-alive off, silence is not judged).
    pub fn with_keep_alive(keep_alive: Duration) -> MqttMonitor {
        MqttMonitor {
            keep_alive,
            observed: Arc::default(),
        }
    }

    /// Records one result of `EventLoop::poll()`. Call it for every result,
    /// errors included.
    pub fn observe(&self, polled: &Result<Event, ConnectionError>) {
        let mut observed = self.observed.lock().unwrap_or_else(PoisonError::into_inner);
        observed.polled = true;
        match polled {
            Ok(Event::Incoming(packet)) => {
                observed.last_packet = Some(Instant::now());
                if let Incoming::ConnAck(ack) = packet {
                    if ack.code == ConnectReturnCode::Success {
                        observed.connected = true;
                        observed.connects += 1;
                        observed.last_error = None;
                    } else {
                        observed.connected = false;
                        observed.last_error = Some(format!("broker refused the connection: {:?}", ack.code));
                    }
                }
            }
            Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                observed.connected = false;
                observed.last_error = Some("the client disconnected".into());
            }
            Ok(Event::Outgoing(_)) => {}
            Err(e) => {
                observed.connected = false;
                observed.last_error = Some(e.to_string());
            }
        }
    }
}

impl fmt::Debug for MqttMonitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let observed = self.observed.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("MqttMonitor")
            .field("keep_alive", &self.keep_alive)
            .field("connected", &observed.connected)
            .field("connects", &observed.connects)
            .field("last_error", &observed.last_error)
            .finish()
    }
}

/// Judges what `monitor` observed (see the module docs for the rules).
pub fn check(monitor: &MqttMonitor) -> CheckOutcome {
    let observed = monitor.observed.lock().unwrap_or_else(PoisonError::into_inner);
    let silence = observed.last_packet.map(|at| at.elapsed());
    let state = match (observed.connected, &observed.last_error) {
        (true, _) => "connected",
        (false, Some(_)) => "disconnected",
        (false, None) => "connecting",
    };
    // Total: a keep-alive of `Duration::MAX` means "never silent", not a panic.
    let silence_limit = monitor.keep_alive.saturating_mul(2);
    let outcome = if !observed.polled {
        CheckOutcome::fail("mqtt: no event observed: poll the event loop and pass every result to MqttMonitor::observe")
    } else if !observed.connected {
        match &observed.last_error {
            Some(error) => CheckOutcome::fail(format_args!("mqtt: {error}")),
            None => CheckOutcome::fail("mqtt: no ConnAck from the broker yet"),
        }
    } else if !monitor.keep_alive.is_zero() && silence.is_none_or(|s| s > silence_limit) {
        CheckOutcome::fail(format_args!(
            "mqtt: no packet from the broker for more than {silence_limit:?} (keep-alive {:?}): the event loop is not polled or the broker is silent",
            monitor.keep_alive
        ))
    } else {
        CheckOutcome::pass()
    };
    let outcome = outcome
        .with_detail("state", state)
        .with_detail("connects", observed.connects)
        .with_detail("keep_alive_s", monitor.keep_alive.as_secs());
    match silence {
        Some(silence) => outcome.with_detail("last_packet_ms_ago", silence.as_millis() as u64),
        None => outcome,
    }
}

/// A [`Check`](crate::Check) on an [`MqttMonitor`] (see [`check`]); a
/// non-critical readiness check with a 1 s deadline unless adjusted.
#[derive(Debug, Clone)]
pub struct MqttCheck {
    spec: CheckSpec,
    monitor: MqttMonitor,
}

impl MqttCheck {
    /// A check called `name` judging what `monitor` observed.
    pub fn new(name: impl Into<Cow<'static, str>>, monitor: MqttMonitor) -> MqttCheck {
        MqttCheck {
            spec: CheckSpec::with_name(name.into()),
            monitor,
        }
    }
}

builtin_check!(MqttCheck, |this| std::future::ready(check(&this.monitor)));

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rumqttc::{ConnAck, ConnectReturnCode, ConnectionError, Event, Incoming, Outgoing, StateError};

    use super::{check, MqttMonitor};

    fn connack(code: ConnectReturnCode) -> Event {
        Event::Incoming(Incoming::ConnAck(ConnAck {
            session_present: false,
            code,
        }))
    }

    #[test]
    fn fails_until_the_event_loop_reports_a_connack() {
        let monitor = MqttMonitor::with_keep_alive(Duration::from_secs(5));
        assert!(check(&monitor).message().unwrap().contains("no event observed"));
        monitor.observe(&Ok(Event::Outgoing(Outgoing::PingReq)));
        assert_eq!(check(&monitor).message(), Some("mqtt: no ConnAck from the broker yet"));
        monitor.observe(&Ok(connack(ConnectReturnCode::Success)));
        let outcome = check(&monitor);
        assert!(outcome.is_pass(), "{outcome:?}");
        assert_eq!(outcome.details().get("connects"), Some(&1u64.into()));
    }

    #[test]
    fn errors_and_refusals_fail_with_their_text() {
        let monitor = MqttMonitor::with_keep_alive(Duration::from_secs(5));
        monitor.observe(&Ok(connack(ConnectReturnCode::Success)));
        monitor.observe(&Err(ConnectionError::MqttState(StateError::AwaitPingResp)));
        let outcome = check(&monitor);
        assert!(!outcome.is_pass());
        assert!(outcome.message().unwrap().contains("ping"), "{outcome:?}");
        assert_eq!(outcome.details().get("state"), Some(&"disconnected".into()));
        monitor.observe(&Ok(connack(ConnectReturnCode::NotAuthorized)));
        assert!(check(&monitor).message().unwrap().contains("NotAuthorized"));
    }

    #[test]
    fn the_longest_keep_alive_neither_panics_nor_fails() {
        let monitor = MqttMonitor::with_keep_alive(Duration::MAX);
        monitor.observe(&Ok(connack(ConnectReturnCode::Success)));
        let outcome = check(&monitor);
        assert!(outcome.is_pass(), "{outcome:?}");
        assert_eq!(outcome.details().get("keep_alive_s"), Some(&u64::MAX.into()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_broker_fails_after_two_keep_alive_periods() {
        let monitor = MqttMonitor::with_keep_alive(Duration::from_secs(5));
        monitor.observe(&Ok(connack(ConnectReturnCode::Success)));
        // Exactly two keep-alive periods of silence still pass...
        tokio::time::advance(Duration::from_secs(10)).await;
        let outcome = check(&monitor);
        assert!(outcome.is_pass(), "{outcome:?}");
        // ...a millisecond more does not.
        tokio::time::advance(Duration::from_millis(1)).await;
        let outcome = check(&monitor);
        assert!(
            outcome
                .message()
                .is_some_and(|m| m.contains("no packet from the broker")),
            "{outcome:?}"
        );
        // A packet ends the silence.
        monitor.observe(&Ok(Event::Incoming(Incoming::PingResp)));
        assert!(check(&monitor).is_pass());
    }
}
