//! The two ways a check reaches the runtime: functions annotated with
//! `#[health_check]` ([`CheckFn`]), and objects added at run time ([`Check`]).

use std::any::TypeId;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::model::outcome::CheckOutcome;
use crate::model::spec::CheckSpec;

/// A boxed, `Send` future, as check entry points return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The future a check's entry point returns: `Send`, yielding the outcome.
pub trait CheckFuture: Future<Output = CheckOutcome> + Send {}

impl<F: Future<Output = CheckOutcome> + Send> CheckFuture for F {}

/// A check added at run time, as a trait object (dynamic sets of checks,
/// checks configured from files, the built-in dependency checks).
///
/// `S` is the shared state the registry was built with; checks that carry
/// their own handles implement `Check<S>` for every `S`.
///
/// ```
/// use health_core::{BoxFuture, Check, CheckOutcome, CheckSpec};
///
/// /// Fails while a feature flag file is missing.
/// struct FlagFile(&'static str);
///
/// impl<S: Sync> Check<S> for FlagFile {
///     fn spec(&self) -> CheckSpec {
///         CheckSpec::new("flag_file")
///     }
///
///     fn run<'a>(&'a self, _state: &'a S) -> BoxFuture<'a, CheckOutcome> {
///         Box::pin(async move {
///             match std::fs::metadata(self.0) {
///                 Ok(_) => CheckOutcome::pass(),
///                 Err(e) => CheckOutcome::fail(format_args!("{}: {e}", self.0)),
///             }
///         })
///     }
/// }
/// ```
pub trait Check<S: ?Sized>: Send + Sync + 'static {
    /// The check's descriptor; read once when the registry is built.
    fn spec(&self) -> CheckSpec;

    /// Runs the check once. The runtime applies the deadline, catches panics
    /// and caches the result; the check only has to do its work.
    fn run<'a>(&'a self, state: &'a S) -> BoxFuture<'a, CheckOutcome>;
}

/// The compile-time form of a check: implemented by `#[health_check]` for a
/// type named like the annotated function (the function itself is left as
/// written).
///
/// Not meant to be implemented by hand; implement [`Check`] instead.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[health_check]` function taking `&{S}`",
    label = "no health check on `&{S}` is named like this",
    note = "a report field is named after a `#[health_check]` function whose argument is `&{S}` (or that takes none); name another one with `#[health(check = path::to::function)]`"
)]
pub trait CheckFn<S: ?Sized>: 'static {
    /// The descriptor built from the attribute's options.
    const SPEC: CheckSpec;

    /// Runs the function once and converts what it returns.
    fn call(state: &S) -> impl CheckFuture + '_;
}

/// A `#[health_check]` function as a report field refers to it, its type
/// erased: identity, descriptor, name and entry point.
///
/// Derived reports hold these rather than the check types, so their code is
/// not generic over every check's future, and a field naming no check is
/// reported once, where [`check_ref`] is called for it.
pub struct CheckRef<S: ?Sized> {
    /// The check's name (known at compile time: derived reports assert that
    /// their checks' names are distinct).
    pub name: &'static str,
    type_id: fn() -> TypeId,
    spec: fn() -> CheckSpec,
    run: for<'a> fn(&'a S) -> BoxFuture<'a, CheckOutcome>,
}

/// The [`CheckRef`] of check `C` on state `S`.
pub const fn check_ref<C: CheckFn<S>, S: ?Sized>() -> CheckRef<S> {
    CheckRef::with_entry::<C, S>(run_boxed::<C, S>)
}

impl<S: ?Sized> CheckRef<S> {
    /// The reference of check `C` (a check on `T`), entered through `run`:
    /// `T` itself, or a state whose type is erased (registrations).
    pub(crate) const fn with_entry<C: CheckFn<T>, T: ?Sized>(
        run: for<'a> fn(&'a S) -> BoxFuture<'a, CheckOutcome>,
    ) -> CheckRef<S> {
        CheckRef {
            name: static_name(C::SPEC),
            type_id: TypeId::of::<C>,
            spec: spec_of::<C, T>,
            run,
        }
    }

    /// The type `#[health_check]` generated for the check.
    pub(crate) fn type_id(&self) -> TypeId {
        (self.type_id)()
    }

    /// The check's descriptor.
    pub(crate) fn spec(&self) -> CheckSpec {
        (self.spec)()
    }

    /// Starts one run of the check.
    pub(crate) fn run<'a>(&self, state: &'a S) -> BoxFuture<'a, CheckOutcome> {
        (self.run)(state)
    }
}

impl<S: ?Sized> Clone for CheckRef<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ?Sized> Copy for CheckRef<S> {}

impl<S: ?Sized> fmt::Debug for CheckRef<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckRef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The name of a descriptor built at compile time (always borrowed).
const fn static_name(spec: CheckSpec) -> &'static str {
    let name = match &spec.name {
        Cow::Borrowed(name) => *name,
        Cow::Owned(_) => "",
    };
    // Nothing to drop for a borrowed name; `forget` keeps this `const`.
    std::mem::forget(spec);
    name
}

fn spec_of<C: CheckFn<S>, S: ?Sized>() -> CheckSpec {
    C::SPEC
}

fn run_boxed<C: CheckFn<S>, S: ?Sized>(state: &S) -> BoxFuture<'_, CheckOutcome> {
    Box::pin(C::call(state))
}
