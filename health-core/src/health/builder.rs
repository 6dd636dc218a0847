//! Building a registry: gathering the annotated checks of a state, adding
//! and leaving out checks, validating them, and starting the schedulers.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use tokio::sync::watch;
use tokio::time::Instant;

#[cfg(any(feature = "http", feature = "grpc"))]
use super::answers::Answers;
use super::events::Events;
use super::origin::Origin;
use super::runner::{Annotated, Runner};
use super::slot::Slot;
use super::{Health, Inner, Mode, Registry};
use crate::model::outcome::CheckOutcome;
use crate::model::probe::Probe;
use crate::model::spec::{CheckSpec, SpecError};
use crate::model::status::Status;
use crate::run::check::{BoxFuture, Check};
use crate::run::registration::Registration;
use crate::run::submit::registrations_for;

/// Builds a [`Registry`](crate::Registry). See [`Health::builder`].
#[must_use = "call `.build()` to get the registry"]
pub struct HealthBuilder<S> {
    state: Arc<S>,
    checks: Vec<Candidate<S>>,
    excluded: BTreeSet<String>,
    mode: Mode,
    withhold_startup: bool,
    version: Option<Cow<'static, str>>,
    handle_signals: bool,
}

impl<S: Send + Sync + 'static> HealthBuilder<S> {
    pub(super) fn new(state: Arc<S>) -> HealthBuilder<S> {
        let checks = registrations_for::<S>().into_iter().map(Candidate::Annotated).collect();
        HealthBuilder {
            state,
            checks,
            excluded: BTreeSet::new(),
            mode: Mode::OnDemand,
            withhold_startup: false,
            version: None,
            handle_signals: true,
        }
    }

    /// Adds a check at run time. Its descriptor is read once, by
    /// [`build`](HealthBuilder::build), and must follow the rules of
    /// [`CheckSpec::validate`](crate::CheckSpec::validate).
    pub fn check<C: Check<S>>(mut self, check: C) -> Self {
        self.checks
            .push(Candidate::Added(Box::new(check), std::any::type_name::<C>()));
        self
    }

    /// Leaves out the check called `name` (for example an annotated check
    /// without state, which joins every registry).
    pub fn without(mut self, name: impl Into<String>) -> Self {
        self.excluded.insert(name.into());
        self
    }

    /// Runs checks on their own schedule; probes only read results
    /// ([`Mode::Background`]). Needs a tokio runtime when building.
    pub fn background(mut self) -> Self {
        self.mode = Mode::Background;
        self
    }

    /// Keeps start-up from completing until [`Registry::mark_started`](crate::Registry::mark_started) is called.
    pub fn withhold_startup(mut self) -> Self {
        self.withhold_startup = true;
        self
    }

    /// The application version shown on the deep endpoint.
    pub fn version(mut self, version: impl Into<Cow<'static, str>>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Whether the shutdown entry points (`Health::shutdown_signal`, the
    /// HTTP and gRPC listeners) begin shutdown on SIGTERM/SIGINT (default:
    /// yes). With `false`, no handler is ever registered: the signals are
    /// the application's, and shutdown begins with [`Registry::begin_shutdown`](crate::Registry::begin_shutdown).
    /// Listeners can still say otherwise for themselves.
    pub fn handle_signals(mut self, handle: bool) -> Self {
        self.handle_signals = handle;
        self
    }

    /// Builds the registry; in background mode, starts the schedulers.
    ///
    /// Fails when a check added at run time breaks a rule of its descriptor
    /// ([`BuildError::InvalidCheck`]), when two checks share a name
    /// ([`BuildError::DuplicateName`], naming both checks' functions or
    /// types), or in background mode outside a tokio runtime.
    pub fn build(self) -> Result<Health<S>, BuildError> {
        let mut candidates: Vec<(Candidate<S>, CheckSpec)> = self
            .checks
            .into_iter()
            .map(|c| {
                let spec = c.spec();
                (c, spec)
            })
            .filter(|(_, spec)| !self.excluded.contains(spec.name.as_ref()))
            .collect();
        for (candidate, spec) in &candidates {
            spec.validate().map_err(|error| BuildError::InvalidCheck {
                check: candidate.origin().to_string(),
                error,
            })?;
        }
        // Stable: checks with one name keep their registration order.
        candidates.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        if let Some(pair) = candidates.windows(2).find(|pair| pair[0].1.name == pair[1].1.name) {
            return Err(BuildError::DuplicateName {
                name: pair[0].1.name.to_string(),
                first: pair[0].0.origin().to_string(),
                second: pair[1].0.origin().to_string(),
            });
        }
        let runtime = match self.mode {
            Mode::OnDemand => None,
            Mode::Background => Some(tokio::runtime::Handle::try_current().map_err(|_| BuildError::NoRuntime)?),
        };
        let inner = Arc::new(Inner {
            slots: candidates
                .into_iter()
                .map(|(candidate, spec)| {
                    let check_type = candidate.check_type();
                    Arc::new(Slot::new(candidate.bind(&self.state), spec, check_type))
                })
                .collect(),
            mode: self.mode,
            started: AtomicBool::new(false),
            startup_withheld: AtomicBool::new(self.withhold_startup),
            shutdown: watch::Sender::new(false),
            handle_signals: self.handle_signals,
            version: self.version,
            created: Instant::now(),
            schedulers: OnceLock::new(),
            events: Events::new(),
            #[cfg(any(feature = "http", feature = "grpc"))]
            answers: Answers::default(),
        });
        // The answers before any check ran, as the first probe would give them.
        inner.events.probe(Probe::Startup, Status::Starting);
        inner.publish_probes();
        let registry = Registry { inner };
        if let Some(runtime) = runtime {
            registry.start_schedulers(&runtime);
        }
        Ok(Health::new(registry, self.state))
    }
}

impl<S> fmt::Debug for HealthBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthBuilder")
            .field("checks", &self.checks.iter().map(Candidate::origin).collect::<Vec<_>>())
            .field("excluded", &self.excluded)
            .field("mode", &self.mode)
            .field("withhold_startup", &self.withhold_startup)
            .field("version", &self.version)
            .field("handle_signals", &self.handle_signals)
            .finish_non_exhaustive()
    }
}

/// A check waiting for [`HealthBuilder::build`].
enum Candidate<S> {
    /// A `#[health_check]` function.
    Annotated(Registration),
    /// A check added at run time, and its type's name.
    Added(Box<dyn Check<S>>, &'static str),
}

impl<S> Candidate<S> {
    fn origin(&self) -> Origin {
        match self {
            Candidate::Annotated(registration) => Origin::Function(registration.function()),
            Candidate::Added(_, type_name) => Origin::Added(type_name),
        }
    }
}

impl<S: Send + Sync + 'static> Candidate<S> {
    fn spec(&self) -> CheckSpec {
        match self {
            Candidate::Annotated(registration) => registration.spec(),
            Candidate::Added(check, _) => check.spec(),
        }
    }

    /// The type `#[health_check]` generated, for an annotated check.
    fn check_type(&self) -> Option<std::any::TypeId> {
        match self {
            Candidate::Annotated(registration) => Some(registration.check_type()),
            Candidate::Added(..) => None,
        }
    }

    /// The check bound to `state`, its type erased.
    fn bind(self, state: &Arc<S>) -> Box<dyn Runner> {
        match self {
            Candidate::Annotated(registration) => Box::new(Annotated {
                registration,
                state: Arc::clone(state) as _,
            }),
            Candidate::Added(check, _) => Box::new(Added {
                check,
                state: Arc::clone(state),
            }),
        }
    }
}

/// A check added at run time, bound to its state: the one runner generic
/// over the state's type.
struct Added<S> {
    check: Box<dyn Check<S>>,
    state: Arc<S>,
}

impl<S: Send + Sync + 'static> Runner for Added<S> {
    fn run(&self) -> BoxFuture<'_, CheckOutcome> {
        self.check.run(&self.state)
    }
}

/// Why a registry could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// Two checks have the same name; names key the reports.
    DuplicateName {
        /// The name they share.
        name: String,
        /// The first check: its function's path, or its type for a check
        /// added at run time.
        first: String,
        /// The second check, likewise.
        second: String,
    },
    /// A check breaks a rule of its descriptor (possible for checks added
    /// at run time only: the macro enforces the rules at compile time).
    InvalidCheck {
        /// The check's type.
        check: String,
        /// The rule it breaks.
        error: SpecError,
    },
    /// Background mode was asked for outside a tokio runtime.
    NoRuntime,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::DuplicateName { name, first, second } => write!(
                f,
                "two health checks are named `{name}`: {first} and {second}; names key the reports, \
                 so give one of them another name (`#[health_check(name = \"...\")]`, or \
                 `CheckSpec::new(\"...\")` for a check added at run time), or leave one out with `.without(\"{name}\")`"
            ),
            BuildError::InvalidCheck { check, error } => write!(f, "{check}: {error}"),
            BuildError::NoRuntime => {
                f.write_str("background mode starts tasks: build the registry inside a tokio runtime")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::InvalidCheck { error, .. } => Some(error),
            _ => None,
        }
    }
}
