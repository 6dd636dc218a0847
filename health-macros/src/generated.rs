//! The span of the tokens the macros generate.
//!
//! rustc's incremental compilation tracks a span that carries a macro
//! expansion's hygiene by its absolute position in the file, so an item made
//! of such tokens is type-checked again whenever anything above it is edited.
//! A span with the hygiene of code the user wrote is tracked relative to its
//! item. Generated tokens therefore resolve like a token of the user's input
//! (which is how `Span::call_site()` resolves too), while they point where
//! the attribute or derive was written, so errors keep their place.

use proc_macro2::{Literal, Span};

/// Where generated tokens point (the macro's call site) with the hygiene of
/// `input`, a token of the annotated item.
pub fn span(input: Span) -> Span {
    input.located_at(Span::call_site())
}

/// The string literal `text`, spanned `at`.
pub fn text(text: &str, at: Span) -> Literal {
    literal(Literal::string(text), at)
}

/// `literal` spanned `at`: a literal made in the macro would otherwise carry
/// the call site's hygiene.
pub fn literal(mut literal: Literal, at: Span) -> Literal {
    literal.set_span(at);
    literal
}
