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
/// written), with the check as one constant.
///
/// Not meant to be implemented by hand; implement [`Check`] instead.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[health_check]` function taking `&{S}`",
    label = "no health check on `&{S}` is named like this",
    note = "a report field is named after a `#[health_check]` function whose argument is `&{S}` (or that takes none); name another one with `#[health(check = path::to::function)]`"
)]
pub trait CheckFn<S: ?Sized + 'static>: 'static {
    /// The descriptor built from the attribute's options, and the entry point.
    const CHECK: &'static CheckDef<S>;
}

/// The entry point of a check on `S`: starts one run and converts what the
/// function returns.
pub type Entry<S> = for<'a> fn(&'a S) -> BoxFuture<'a, CheckOutcome>;

/// What `#[health_check]` declares: the descriptor and the entry point, a
/// value rather than code, so that everything else is compiled once, here.
pub struct CheckDef<S: ?Sized> {
    spec: CheckSpec,
    run: Entry<S>,
}

impl<S: ?Sized> CheckDef<S> {
    /// The check described by `spec`, entered through `run`.
    pub const fn new(spec: CheckSpec, run: Entry<S>) -> CheckDef<S> {
        CheckDef { spec, run }
    }

    /// The check's descriptor.
    pub const fn spec(&self) -> &CheckSpec {
        &self.spec
    }

    /// Starts one run of the check.
    pub(crate) fn run<'a>(&self, state: &'a S) -> BoxFuture<'a, CheckOutcome> {
        (self.run)(state)
    }
}

impl<S: ?Sized> fmt::Debug for CheckDef<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckDef")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// A `#[health_check]` function as a report field refers to it: its
/// declaration and the identity of its type.
///
/// Derived reports hold these rather than the check types, so their code is
/// not generic over every check, and a field naming no check is reported
/// once, where [`check_ref`] is called for it.
pub struct CheckRef<S: ?Sized + 'static> {
    check: &'static CheckDef<S>,
    type_id: fn() -> TypeId,
}

/// The [`CheckRef`] of check `C` on state `S`.
pub const fn check_ref<C: CheckFn<S>, S: ?Sized + 'static>() -> CheckRef<S> {
    CheckRef {
        check: C::CHECK,
        type_id: TypeId::of::<C>,
    }
}

impl<S: ?Sized + 'static> CheckRef<S> {
    /// The check's name (known at compile time: derived reports assert that
    /// their checks' names are distinct).
    pub const fn name(&self) -> &'static str {
        match &self.check.spec.name {
            Cow::Borrowed(name) => name,
            // `#[health_check]` names are literals.
            Cow::Owned(_) => "",
        }
    }

    /// The type `#[health_check]` generated for the check.
    pub(crate) fn type_id(&self) -> TypeId {
        (self.type_id)()
    }

    /// The check's descriptor.
    pub(crate) fn spec(&self) -> CheckSpec {
        self.check.spec.clone()
    }

    /// Starts one run of the check.
    pub(crate) fn run<'a>(&self, state: &'a S) -> BoxFuture<'a, CheckOutcome> {
        self.check.run(state)
    }
}

impl<S: ?Sized + 'static> Clone for CheckRef<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ?Sized + 'static> Copy for CheckRef<S> {}

impl<S: ?Sized + 'static> fmt::Debug for CheckRef<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckRef")
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}
