//! Support shared by the integration tests of this crate (`tests/tests/*`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A switchable dependency that counts how often it was called.
#[derive(Default)]
pub struct Dependency {
    calls: AtomicUsize,
    down: AtomicBool,
}

impl Dependency {
    /// Records a call; fails with "connection refused" while down.
    pub fn call(&self) -> Result<(), String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            Err("connection refused".into())
        } else {
            Ok(())
        }
    }

    /// How many calls were made.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Switches the dependency off (`true`) or on.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// The README's Rust code blocks, compiled and run as doc tests, so the
/// quickstart a newcomer pastes is known to work.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
