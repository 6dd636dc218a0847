//! Compile-time registration: every `#[health_check]` function submits a
//! [`Registration`] that [`Health::builder`](crate::Health::builder) gathers
//! for its state type, so nobody lists checks by hand.

use std::any::{Any, TypeId};

use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;
use crate::run::check::{BoxFuture, CheckFn, CheckRef};

/// A state passed through the type-erased entry points.
pub(crate) type AnyState = dyn Any + Send + Sync;

/// One annotated check, as submitted by `#[health_check]`.
pub struct Registration {
    /// The check, entered with its state's type erased.
    check: CheckRef<AnyState>,
    /// The path of the type `#[health_check]` generated, which is the
    /// annotated function's path (same module, same name).
    function: fn() -> &'static str,
    /// `None` for checks without a state argument: they join every registry.
    state_type: Option<fn() -> TypeId>,
}

inventory::collect!(Registration);

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("function", &(self.function)())
            .field("spec", &self.check.spec())
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// The registration of check `C` taking `&S`.
    pub const fn stateful<S: Any + Send + Sync, C: CheckFn<S>>() -> Registration {
        Registration {
            check: CheckRef::with_entry::<C, S>(call_stateful::<S, C>),
            function: std::any::type_name::<C>,
            state_type: Some(TypeId::of::<S>),
        }
    }

    /// The registration of check `C` taking no argument.
    pub const fn stateless<C: CheckFn<()>>() -> Registration {
        Registration {
            check: CheckRef::with_entry::<C, ()>(call_stateless::<C>),
            function: std::any::type_name::<C>,
            state_type: None,
        }
    }
}

fn call_stateful<S: Any + Send + Sync, C: CheckFn<S>>(state: &AnyState) -> BoxFuture<'_, CheckOutcome> {
    match state.downcast_ref::<S>() {
        Some(state) => Box::pin(C::call(state)),
        // Unreachable: registries only run registrations of their own state type.
        None => Box::pin(async { CheckOutcome::fail("health registry: state type mismatch") }),
    }
}

fn call_stateless<C: CheckFn<()>>(_state: &AnyState) -> BoxFuture<'_, CheckOutcome> {
    Box::pin(C::call(&()))
}

impl Registration {
    /// The registrations whose checks run on state `S`: those taking `&S`,
    /// and those taking nothing.
    pub(crate) fn all_for<S: Any>() -> impl Iterator<Item = &'static Registration> {
        let wanted = TypeId::of::<S>();
        inventory::iter::<Registration>
            .into_iter()
            .filter(move |r| r.state_type.is_none_or(|state| state() == wanted))
    }

    /// The type `#[health_check]` generated for the check.
    pub(crate) fn check_type(&self) -> TypeId {
        self.check.type_id()
    }

    /// The annotated function's path.
    pub(crate) fn function(&self) -> &'static str {
        (self.function)()
    }

    /// The check's descriptor.
    pub(crate) fn spec(&self) -> CheckSpec {
        self.check.spec()
    }

    /// Starts one run on `state` (of the registration's state type).
    pub(crate) fn run<'a>(&self, state: &'a AnyState) -> BoxFuture<'a, CheckOutcome> {
        self.check.run(state)
    }
}
