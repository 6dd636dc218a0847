//! The rules of `docs/design.md`, "Semantics", one module per rule. Every test drives tokio's
//! paused clock (blocking checks too: it stands still while a blocking task runs), except the
//! stalled-scheduler test of `background.rs`, which needs a runtime that really stops; none
//! sleeps in place of an event.
//!
//! Checks register themselves for their state type, so each module uses a
//! state type of its own: registries of one module never see another's checks.

mod answers;
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
mod transitions;

pub use tests::Dependency;
