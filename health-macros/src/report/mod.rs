//! `#[derive(HealthReport)]`: the struct is parsed and validated into a
//! [`ast::Report`], then expanded.

mod ast;
mod expand;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::errors::Errors;

/// Expands `#[derive(HealthReport)]` on `input`. On errors, the impls are
/// still emitted with bodies that never run, so code using the report adds
/// no second wave of errors.
pub fn derive(input: DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let report = ast::Report::from_input(&input, &mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&report),
        Err(error) => {
            let fallback = expand::fallback(&input, &report);
            let error = error.to_compile_error();
            quote!(#fallback #error)
        }
    }
}
