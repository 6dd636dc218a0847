//! Collects every error of one macro invocation, so a user fixes all their
//! mistakes in one compile instead of one per compile.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// The errors found so far. Must be [`finish`](Errors::finish)ed: dropping
/// it unchecked panics (serde's `Ctxt`), so no early return can ever expand
/// silently as if the input were valid.
#[derive(Default)]
pub struct Errors {
    found: Option<syn::Error>,
    checked: bool,
}

impl Errors {
    /// Records an error at the span of `tokens`.
    pub fn spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.found {
            Some(errors) => errors.combine(error),
            None => self.found = Some(error),
        }
    }

    /// `Ok` when nothing was recorded, else every error combined.
    pub fn finish(mut self) -> syn::Result<()> {
        self.checked = true;
        self.found.take().map_or(Ok(()), Err)
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if !self.checked && !std::thread::panicking() {
            panic!("health-macros: errors were collected but never checked");
        }
    }
}
