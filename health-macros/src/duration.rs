//! Durations written in attributes (`timeout = "2s"`), parsed at compile time.

use std::time::Duration;

use proc_macro2::{Literal, Span, TokenStream};

use crate::generated;
use quote::quote_spanned;

/// Parses humantime syntax (`250ms`, `2s`, `1m 30s`).
pub fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| e.to_string())
}

/// The expression building `duration` at compile time, in the unit a human
/// would write: `Duration::from_secs(2)`, `Duration::from_millis(250)`,
/// its tokens spanned `at`.
pub fn to_tokens(duration: Duration, at: Span) -> TokenStream {
    let path = quote_spanned!(at=> ::health_core::__private::Duration);
    let nanos = duration.as_nanos();
    if nanos % 1_000_000_000 == 0 {
        let secs = generated::literal(Literal::u64_unsuffixed(duration.as_secs()), at);
        quote_spanned!(at=> #path::from_secs(#secs))
    } else if nanos % 1_000_000 == 0 {
        let millis = generated::literal(Literal::u64_unsuffixed(duration.as_millis() as u64), at);
        quote_spanned!(at=> #path::from_millis(#millis))
    } else {
        let nanos = generated::literal(Literal::u64_unsuffixed(nanos as u64), at);
        quote_spanned!(at=> #path::from_nanos(#nanos))
    }
}
