//! Compile-time registration: every `#[health_check]` function submits a
//! [`Registration`] (see [`submit`](super::submit)) that
//! [`Health::builder`](crate::Health::builder) gathers for its state type,
//! so nobody lists checks by hand.

use std::any::{Any, TypeId};

use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;
use crate::run::check::{BoxFuture, CheckDef, CheckFn};

/// A state passed through the type-erased entry points.
pub(crate) type AnyState = dyn Any + Send + Sync;

/// One annotated check, as submitted by `#[health_check]`.
#[derive(Clone, Copy)]
pub(crate) struct Registration {
    /// The check, entered with its state's type erased.
    check: Erased,
    /// The type `#[health_check]` generated for the check.
    check_type: fn() -> TypeId,
    /// The path of that type, which is the annotated function's path (same
    /// module, same name).
    function: fn() -> &'static str,
}

/// A check's declaration with its state's type erased: one vtable per state
/// type, not per check.
#[derive(Clone, Copy)]
enum Erased {
    /// A check taking `&S`, for registries of state `S` only.
    Stateful(&'static dyn StatefulCheck),
    /// A check taking nothing: it joins every registry.
    Stateless(&'static CheckDef<()>),
}

/// A [`CheckDef`] on some state, entered with that state as `&dyn Any`.
trait StatefulCheck: Sync {
    fn spec(&self) -> &CheckSpec;
    fn state_type(&self) -> TypeId;
    fn run<'a>(&self, state: &'a AnyState) -> BoxFuture<'a, CheckOutcome>;
}

impl<S: Any + Send + Sync> StatefulCheck for CheckDef<S> {
    fn spec(&self) -> &CheckSpec {
        CheckDef::spec(self)
    }

    fn state_type(&self) -> TypeId {
        TypeId::of::<S>()
    }

    fn run<'a>(&self, state: &'a AnyState) -> BoxFuture<'a, CheckOutcome> {
        match state.downcast_ref::<S>() {
            Some(state) => CheckDef::run(self, state),
            // Unreachable: registries only run registrations of their own state type.
            None => Box::pin(async { CheckOutcome::fail("health registry: state type mismatch") }),
        }
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("function", &(self.function)())
            .field("spec", self.spec_ref())
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// The registration of check `C` taking `&S`.
    pub(crate) fn stateful<S: Any + Send + Sync, C: CheckFn<S>>() -> Registration {
        Registration {
            check: Erased::Stateful(C::CHECK),
            check_type: TypeId::of::<C>,
            function: std::any::type_name::<C>,
        }
    }

    /// The registration of check `C` taking no argument.
    pub(crate) fn stateless<C: CheckFn<()>>() -> Registration {
        Registration {
            check: Erased::Stateless(C::CHECK),
            check_type: TypeId::of::<C>,
            function: std::any::type_name::<C>,
        }
    }

    /// Whether the check runs on a state of type `state`: it takes `&S` of
    /// that type, or nothing.
    pub(crate) fn runs_on(&self, state: TypeId) -> bool {
        match self.check {
            Erased::Stateful(check) => check.state_type() == state,
            Erased::Stateless(_) => true,
        }
    }

    /// The type `#[health_check]` generated for the check.
    pub(crate) fn check_type(&self) -> TypeId {
        (self.check_type)()
    }

    /// The annotated function's path.
    pub(crate) fn function(&self) -> &'static str {
        (self.function)()
    }

    /// The check's descriptor.
    pub(crate) fn spec(&self) -> CheckSpec {
        self.spec_ref().clone()
    }

    fn spec_ref(&self) -> &'static CheckSpec {
        match self.check {
            Erased::Stateful(check) => check.spec(),
            Erased::Stateless(check) => check.spec(),
        }
    }

    /// Starts one run on `state` (of the registration's state type).
    pub(crate) fn run<'a>(&self, state: &'a AnyState) -> BoxFuture<'a, CheckOutcome> {
        match self.check {
            Erased::Stateful(check) => check.run(state),
            Erased::Stateless(check) => check.run(&()),
        }
    }
}
