//! Procedural macros of `health-core`: `#[health_check]` and
//! `#[derive(HealthReport)]`.
//!
//! Depend on `health-core`, which re-exports them and holds everything their
//! expansions refer to (through `::health_core::__private`); the
//! documentation with examples lives there.

mod check;
mod duration;
mod errors;
mod generated;
mod report;
mod suggest;

use proc_macro::TokenStream;

/// Declares an async function as a health check; see `health_core::health_check`.
#[proc_macro_attribute]
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    check::health_check(args.into(), item.into()).into()
}

/// Derives a typed report over named checks; see `health_core::HealthReport`.
#[proc_macro_derive(HealthReport, attributes(health))]
pub fn derive_health_report(input: TokenStream) -> TokenStream {
    report::derive(syn::parse_macro_input!(input as syn::DeriveInput)).into()
}
