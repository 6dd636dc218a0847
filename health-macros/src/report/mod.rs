//! `#[derive(HealthReport)]`: the struct is parsed and validated into a
//! [`ast::Report`], then expanded.

mod ast;
mod expand;

use proc_macro2::TokenStream;
use syn::DeriveInput;

/// Expands `#[derive(HealthReport)]` on `input`.
pub fn derive(input: DeriveInput) -> TokenStream {
    match ast::Report::from_input(&input) {
        Ok(report) => expand::expand(&report),
        Err(error) => error.to_compile_error(),
    }
}
