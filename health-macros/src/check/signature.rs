//! The shapes of function `#[health_check]` accepts, validated into
//! [`CheckSignature`].

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, PathArguments, ReturnType, Signature, Type};

use super::options::CheckOptions;
use crate::errors::Errors;

/// What the expansion needs to know about the function.
pub struct CheckSignature {
    /// `S` of the `&S` argument; `None` for a function without argument.
    pub state: Option<Type>,
    /// Where errors about the return type point.
    pub output_span: Span,
}

/// Why a check that cannot fail is refused.
pub const CANNOT_FAIL: &str = "if your health check can't fail, it isn't checking anything";
const RETURN_HELP: &str = "return `Result<(), E>` with an error that explains the failure, `bool`, or `CheckOutcome`";

/// Checks the function's shape, recording every mistake in `errors`.
pub fn validate(sig: &Signature, options: &CheckOptions, errors: &mut Errors) -> CheckSignature {
    match (sig.asyncness, options.blocking) {
        (Some(asyncness), Some(blocking)) => {
            let mut error = syn::Error::new(
                blocking,
                "`blocking` is for synchronous functions, and this one is `async`: remove `blocking` \
                 (async checks run on the runtime), or remove `async`",
            );
            error.combine(syn::Error::new(asyncness.span, "the function is `async` here"));
            errors.push(error);
        }
        (None, None) => errors.spanned(
            sig.fn_token,
            "a health check must be an `async fn`; for a synchronous function that blocks \
             (file system, a sync driver), add the `blocking` option: `#[health_check(blocking)]`",
        ),
        _ => {}
    }
    if let Some(unsafety) = sig.unsafety {
        errors.spanned(
            unsafety,
            "a health check cannot be an `unsafe fn`: the runtime calls it from safe code",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.spanned(
            &sig.generics,
            "generic health checks are not supported: the runtime calls the check without type arguments. \
             Take a concrete state type: `state: &AppState`",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.spanned(
            variadic,
            "variadic health checks are not supported: take no argument or `state: &AppState`",
        );
    }
    let state = state_type(sig.inputs.iter(), errors);
    check_output(sig, errors);
    CheckSignature {
        state,
        output_span: match &sig.output {
            ReturnType::Default => sig.ident.span(),
            ReturnType::Type(_, ty) => ty.span(),
        },
    }
}

/// The `S` of the only argument `&S`, if any.
fn state_type<'a>(mut inputs: impl Iterator<Item = &'a FnArg>, errors: &mut Errors) -> Option<Type> {
    let first = inputs.next()?;
    for extra in inputs {
        errors.spanned(
            extra,
            "a health check takes at most one argument, the shared state (`state: &AppState`); \
             put what the check needs into that state",
        );
    }
    let typed = match first {
        FnArg::Receiver(receiver) => {
            errors.spanned(
                receiver,
                "health checks are free functions: `self` receivers are not supported. \
                 Move the check out of the `impl` and take the state as `state: &AppState`",
            );
            return None;
        }
        FnArg::Typed(typed) => typed,
    };
    match typed.ty.as_ref() {
        Type::Reference(reference) if reference.mutability.is_some() => {
            errors.spanned(
                reference,
                "take the state by shared reference (`&AppState`): probes run checks concurrently",
            );
            None
        }
        Type::Reference(reference) if matches!(*reference.elem, Type::ImplTrait(_)) => {
            errors.spanned(
                &reference.elem,
                "`impl Trait` arguments make the check generic, which is not supported: name the state type",
            );
            None
        }
        Type::Reference(reference) => Some((*reference.elem).clone()),
        other => {
            errors.spanned(
                other,
                format!(
                    "take the state by reference: `{}: &{}`; the runtime shares one state between all checks",
                    quote::ToTokens::to_token_stream(&typed.pat),
                    quote::ToTokens::to_token_stream(other)
                ),
            );
            None
        }
    }
}

/// Rejects return types that cannot express a failure; other wrong types
/// are caught by the `IntoCheckOutcome` bound in the expansion.
fn check_output(sig: &Signature, errors: &mut Errors) {
    match &sig.output {
        ReturnType::Default => {
            // Point where `-> Result<(), E>` belongs: after the arguments.
            errors.at(
                sig.paren_token.span.close(),
                format!("this health check returns nothing: {CANNOT_FAIL}; {RETURN_HELP}"),
            );
        }
        ReturnType::Type(_, ty) => match ty.as_ref() {
            Type::Tuple(unit) if unit.elems.is_empty() => {
                errors.spanned(
                    ty,
                    format!("this health check returns `()`: {CANNOT_FAIL}; {RETURN_HELP}"),
                );
            }
            Type::Never(_) => {
                errors.spanned(
                    ty,
                    format!("this health check never returns: {CANNOT_FAIL}; {RETURN_HELP}"),
                );
            }
            ty => {
                if let Some(error_type) = infallible_error(ty) {
                    errors.spanned(
                        error_type,
                        format!("this error type can never be built, so the check never fails: {CANNOT_FAIL}; {RETURN_HELP}"),
                    );
                }
            }
        },
    }
}

/// The error type of `Result<T, Infallible>` or `Result<T, !>`.
fn infallible_error(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let Some(GenericArgument::Type(error)) = args.args.iter().nth(1) else {
        return None;
    };
    let infallible = match error {
        Type::Never(_) => true,
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Infallible"),
        _ => false,
    };
    infallible.then_some(error)
}
