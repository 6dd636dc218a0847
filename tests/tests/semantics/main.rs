//! The rules of SPEC §5, one module per rule. Every test drives tokio's
//! paused clock (or, for blocking checks, channels), never wall-clock sleeps.
//!
//! Checks register themselves for their state type, so each module uses a
//! state type of its own: registries of one module never see another's checks.

mod background;
mod blocking;
mod caching;
mod deadlines;
mod lifecycle;
mod panics;
mod readiness;
mod registry;
mod reports;
mod thresholds;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A switchable dependency that counts how often it was called.
#[derive(Default)]
pub struct Dependency {
    calls: AtomicUsize,
    down: AtomicBool,
}

impl Dependency {
    /// Records a call; fails while the dependency is down.
    pub fn call(&self) -> Result<(), String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            Err("connection refused".into())
        } else {
            Ok(())
        }
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}
