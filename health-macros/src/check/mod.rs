//! `#[health_check]`: the function is parsed (its body kept as raw tokens),
//! options and signature are validated into a model, then expanded.

mod body;
mod expand;
mod item;
mod options;
mod signature;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;

use crate::errors::Errors;
use item::CheckItem;
use options::CheckOptions;

/// Expands `#[health_check(args)] item`. On errors, the function is kept as
/// written next to the errors, with a stub of what reports refer to, so the
/// rest of the code still resolves and only the mistakes are reported.
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: CheckItem = match syn::parse2(item.clone()) {
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
    if options.name.is_none() {
        let ident = &func.sig.ident;
        if let Err(why) = options::check_name(&ident.unraw().to_string()) {
            errors.spanned(
                ident,
                format!("the function's name cannot name a check: {why}; name the check with `name = \"..\"`"),
            );
        }
    }
    let signature = signature::validate(&func.sig, &options, &mut errors);
    if let Some(value) = body::constant_success(func.body()) {
        errors.spanned(
            value,
            format!(
                "this health check always succeeds: {}; call the dependency (or read a heartbeat) \
                 and return what it says",
                signature::CANNOT_FAIL
            ),
        );
    }
    match errors.finish() {
        Ok(()) => expand::expand(&func, item, &options, &signature),
        Err(error) => {
            // A method (`self`) sits in an `impl`, where no type can be declared.
            let method = func.sig.receiver().is_some();
            let fallback = if method {
                TokenStream::new()
            } else {
                expand::fallback(&func)
            };
            let error = error.to_compile_error();
            quote!(#item #fallback #error)
        }
    }
}
