//! The rules of `docs/design.md`, "Semantics", one module per rule. Every test drives tokio's
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
mod transitions;

pub use tests::Dependency;
