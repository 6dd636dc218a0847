//! Where changes of the health state go: one `tracing` event per change,
//! the subscribers' broadcast channel, and the metrics.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use tokio::sync::broadcast;

use super::metrics::ProbeMetrics;
use crate::model::probe::Probe;
use crate::model::status::Status;
use crate::report::history::{Ring, TRANSITIONS_KEPT};
use crate::report::transition::{CheckState, CheckTransition, ProbeTransition, Transition, Transitions};

/// The event hub of one registry.
pub(crate) struct Events {
    sender: broadcast::Sender<Transition>,
    /// The last transitions, for the status page and the deep report.
    recent: Mutex<Ring<Transition, TRANSITIONS_KEPT>>,
    /// Per probe, the status last published (an index into [`Status::ALL`]).
    probes: [AtomicU8; 3],
    probe_metrics: ProbeMetrics,
}

/// No status published yet.
const UNSET: u8 = u8::MAX;

impl Events {
    pub fn new() -> Events {
        Events {
            sender: broadcast::Sender::new(Transitions::CAPACITY),
            recent: Mutex::default(),
            probes: [const { AtomicU8::new(UNSET) }; 3],
            probe_metrics: ProbeMetrics::new(),
        }
    }

    pub fn subscribe(&self) -> Transitions {
        Transitions {
            receiver: self.sender.subscribe(),
        }
    }

    /// Publishes a change of a check's reported state: one log line (warn
    /// when it starts failing, info when it passes), one broadcast.
    pub fn check(&self, change: CheckTransition, error: Option<&str>) {
        let check = change.check();
        let reason = change.reason.map_or("", |r| r.as_str());
        match change.to {
            CheckState::Passing => tracing::info!(
                check,
                critical = change.critical,
                from = change.from.as_str(),
                "health check passing"
            ),
            CheckState::Failing | CheckState::Pending => tracing::warn!(
                check,
                critical = change.critical,
                from = change.from.as_str(),
                reason,
                error = error.unwrap_or(""),
                "health check failing"
            ),
        }
        self.publish(Transition::Check(change));
    }

    /// Records `probe`'s current answer; publishes it if it changed. The
    /// common case, no change, is one atomic load.
    pub fn probe(&self, probe: Probe, status: Status) {
        let slot = &self.probes[probe.index()];
        let new = status.index();
        let mut old = slot.load(Ordering::Acquire);
        loop {
            if old == new {
                return;
            }
            match slot.compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => break,
                Err(current) => old = current,
            }
        }
        self.probe_metrics.status(probe, status);
        let Some(from) = Status::ALL.get(usize::from(old)).copied() else {
            return; // the first answer, at build: nothing changed
        };
        if status.is_healthy() || matches!(status, Status::ShuttingDown | Status::Starting) {
            tracing::info!(
                probe = probe.as_str(),
                from = from.as_str(),
                to = status.as_str(),
                "health probe changed"
            );
        } else {
            tracing::warn!(
                probe = probe.as_str(),
                from = from.as_str(),
                to = status.as_str(),
                "health probe changed"
            );
        }
        self.publish(Transition::Probe(ProbeTransition {
            probe,
            from,
            to: status,
            at: SystemTime::now(),
        }));
    }

    /// Keeps `transition` in the recent ones and sends it to subscribers.
    fn publish(&self, transition: Transition) {
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(transition.clone());
        // No subscriber is no error.
        let _ = self.sender.send(transition);
    }

    /// The last transitions, oldest first.
    pub fn recent(&self) -> Vec<Transition> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner).to_vec()
    }
}
