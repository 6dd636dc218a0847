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

/// A dependency call for checks whose result a test does not vary: whether
/// the working directory can be read (a system call that can fail), so the
/// check is no constant, which `#[health_check]` refuses.
pub fn reachable() -> bool {
    std::env::current_dir().is_ok()
}

/// [`reachable`] as a `Result`.
pub fn reached() -> Result<(), String> {
    std::env::current_dir().map(|_| ()).map_err(|e| e.to_string())
}

/// The README's Rust code blocks, compiled and run as doc tests, so the
/// quickstart a newcomer pastes is known to work.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
