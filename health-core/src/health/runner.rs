//! A check bound to the state it runs on: what a slot runs, with the
//! state's type erased when the registry is built. An annotated check has
//! one runner for every state type; a check added at run time has the
//! builder's small generic one (`builder::Added`).

use std::sync::Arc;

use crate::model::outcome::CheckOutcome;
use crate::run::check::BoxFuture;
use crate::run::registration::{AnyState, Registration};

/// Runs one check on the state it was bound to.
pub(crate) trait Runner: Send + Sync + 'static {
    /// Starts one run.
    fn run(&self) -> BoxFuture<'_, CheckOutcome>;
}

/// An annotated check, with its state already erased: one implementation
/// for every state type.
pub(crate) struct Annotated {
    pub registration: Registration,
    pub state: Arc<AnyState>,
}

impl Runner for Annotated {
    fn run(&self) -> BoxFuture<'_, CheckOutcome> {
        self.registration.run(&*self.state)
    }
}
