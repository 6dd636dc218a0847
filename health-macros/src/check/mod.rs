//! `#[health_check]`: options and signature are validated into a model,
//! then expanded.

mod expand;
mod options;
mod signature;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::errors::Errors;
use options::CheckOptions;

/// Expands `#[health_check(args)] item`. On errors, the function is kept as
/// written next to the errors, so the rest of the code still resolves.
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                "`#[health_check]` goes on a function: `async fn name(state: &AppState) -> Result<(), E>`",
            )
            .to_compile_error();
            return quote!(#item #error);
        }
    };
    let mut errors = Errors::default();
    let options = CheckOptions::parse(args, &mut errors);
    let signature = signature::validate(&func, &options, &mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&func, &options, &signature),
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#func #error)
        }
    }
}
