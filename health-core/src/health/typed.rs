//! The typed handle: a [`Registry`] with the application state it was
//! built for, for what needs the state's type.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::{HealthBuilder, Registry};
use crate::model::result::CheckResult;
use crate::report::derived::{run_once, CheckSource, HealthReport};
use crate::run::check::CheckRef;

/// The health registry of an application, with its state `S`: everything
/// [`Registry`] answers (through `Deref`: probes, deep report, shutdown,
/// transitions, the HTTP and gRPC faces), plus what needs the state's type
/// ([`state`](Health::state), [`report`](Health::report)).
///
/// Cheap to clone (two reference counts); share it with handlers.
///
/// ```
/// use health_core::prelude::*;
///
/// struct AppState {
///     db_up: bool,
/// }
///
/// #[health_check(critical, timeout = "2s")]
/// async fn database(state: &AppState) -> Result<(), String> {
///     state.db_up.then_some(()).ok_or_else(|| "connection refused".to_string())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let health = Health::builder(AppState { db_up: false }).build().unwrap();
/// let ready = health.readiness().await;
/// assert_eq!(ready.status(), Status::NotReady);
/// assert_eq!(ready.http_status(), 503);
/// assert_eq!(health.liveness().await.status(), Status::Alive);
/// assert!(!health.state().db_up);
/// # }
/// ```
pub struct Health<S> {
    registry: Registry,
    state: Arc<S>,
}

impl<S> Health<S> {
    pub(super) fn new(registry: Registry, state: Arc<S>) -> Health<S> {
        Health { registry, state }
    }

    /// The application state the checks run on.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The registry, its state type erased (what adapters hold).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

impl<S: Send + Sync + 'static> Health<S> {
    /// Starts a registry for `state`, with every `#[health_check]` function
    /// that takes `&S` or nothing already in it.
    pub fn builder(state: S) -> HealthBuilder<S> {
        HealthBuilder::new(Arc::new(state))
    }

    /// Like [`Health::builder`] for a state already behind an `Arc`.
    pub fn builder_shared(state: Arc<S>) -> HealthBuilder<S> {
        HealthBuilder::new(state)
    }

    /// Collects a derived report from this registry: its checks' results
    /// come from the cache (fresh results are reused, concurrent runs
    /// shared, thresholds applied) instead of one-off runs.
    pub async fn report<R: HealthReport<State = S>>(&self) -> R {
        R::collect_from(self).await
    }
}

impl<S> Deref for Health<S> {
    type Target = Registry;

    fn deref(&self) -> &Registry {
        &self.registry
    }
}

impl<S> From<Health<S>> for Registry {
    fn from(health: Health<S>) -> Registry {
        health.registry
    }
}

impl<S> Clone for Health<S> {
    fn clone(&self) -> Self {
        Health {
            registry: self.registry.clone(),
            state: Arc::clone(&self.state),
        }
    }
}

impl<S> fmt::Debug for Health<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.registry, f)
    }
}

impl<S: Send + Sync + 'static> CheckSource<S> for Health<S> {
    async fn result(&self, check: CheckRef<S>) -> CheckResult {
        match self.registry.slot_of(check.type_id()) {
            Some(slot) => self.registry.slot_result(slot).await,
            // Left out of this registry: run it once, as `collect` would.
            None => run_once(&*self.state, check).await,
        }
    }
}
