//! The options of `#[health_check(...)]`: parsed and validated into
//! [`CheckOptions`].

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, Meta, Token};

use crate::duration;
use crate::errors::Errors;
use crate::suggest::closest;

/// The longest deadline accepted: orchestrators give up on a probe long before.
const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// Every option, for suggestions.
const OPTIONS: &[&str] = &[
    "critical",
    "liveness",
    "readiness",
    "startup",
    "timeout",
    "name",
    "interval",
    "failure_threshold",
    "success_threshold",
    "blocking",
];

/// How the valid options are listed in errors.
const OPTIONS_HELP: &str = "expected `critical`, `liveness`, `readiness`, `startup`, `timeout = \"2s\"`, \
    `name = \"..\"`, `interval = \"5s\"`, `failure_threshold = 3`, `success_threshold = 1` or `blocking`";

/// A probe a check can belong to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    Liveness,
    Readiness,
    Startup,
}

/// The validated options of one `#[health_check]`.
#[derive(Default)]
pub struct CheckOptions {
    /// Span of `critical`, when given.
    pub critical: Option<Span>,
    /// The probes named explicitly (none means readiness).
    pub probes: Vec<Probe>,
    pub timeout: Option<Duration>,
    pub interval: Option<Duration>,
    pub name: Option<String>,
    pub failure_threshold: Option<u32>,
    pub success_threshold: Option<u32>,
    /// Span of `blocking`, when given.
    pub blocking: Option<Span>,
}

impl CheckOptions {
    /// Parses the attribute's arguments, recording every mistake in `errors`.
    pub fn parse(args: TokenStream, errors: &mut Errors) -> CheckOptions {
        let mut options = CheckOptions::default();
        let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
            Ok(metas) => metas,
            Err(error) => {
                errors.push(error);
                return options;
            }
        };
        let mut seen: Vec<String> = Vec::new();
        for meta in &metas {
            let Some(key) = meta.path().get_ident() else {
                errors.spanned(meta.path(), format!("unknown option; {OPTIONS_HELP}"));
                continue;
            };
            let key_name = key.to_string();
            if seen.contains(&key_name) {
                errors.spanned(key, format!("duplicate option `{key_name}`: give each option once"));
                continue;
            }
            seen.push(key_name.clone());
            match key_name.as_str() {
                "critical" => options.critical = flag(meta, errors).then(|| key.span()),
                "blocking" => options.blocking = flag(meta, errors).then(|| key.span()),
                "liveness" => options.add_probe(Probe::Liveness, flag(meta, errors)),
                "readiness" => options.add_probe(Probe::Readiness, flag(meta, errors)),
                "startup" => options.add_probe(Probe::Startup, flag(meta, errors)),
                "timeout" => options.timeout = timeout(meta, errors),
                "interval" => options.interval = positive_duration(meta, errors),
                "name" => options.name = name(meta, errors),
                "failure_threshold" | "success_threshold" => {
                    let threshold = threshold(meta, errors);
                    match key_name.as_str() {
                        "failure_threshold" => options.failure_threshold = threshold,
                        _ => options.success_threshold = threshold,
                    }
                }
                unknown => {
                    let message = match closest(unknown, OPTIONS) {
                        Some(close) => format!("unknown option `{unknown}`; did you mean `{close}`?"),
                        None => format!("unknown option `{unknown}`; {OPTIONS_HELP}"),
                    };
                    errors.spanned(key, message);
                }
            }
        }
        if let Some(critical) = options.critical {
            if !options.in_readiness() {
                errors.at(
                    critical,
                    "`critical` only applies to readiness, and this check is not in readiness: \
                     a dependency failure must never restart a container. \
                     Add `readiness`, or remove `critical`",
                );
            }
        }
        options
    }

    fn add_probe(&mut self, probe: Probe, given: bool) {
        if given {
            self.probes.push(probe);
        }
    }

    /// Whether the check belongs to readiness (the default when no probe is named).
    pub fn in_readiness(&self) -> bool {
        self.probes.is_empty() || self.probes.contains(&Probe::Readiness)
    }
}

/// Accepts a bare flag (`critical`); reports `critical = true` and `critical(..)`.
fn flag(meta: &Meta, errors: &mut Errors) -> bool {
    match meta {
        Meta::Path(_) => true,
        _ => {
            let key = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
            errors.spanned(meta, format!("`{key}` is a flag and takes no value: write `{key}`"));
            false
        }
    }
}

/// The literal value of `key = value`, or an error showing `example`.
fn value<'a>(meta: &'a Meta, example: &str, errors: &mut Errors) -> Option<&'a Lit> {
    let key = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
    match meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit { lit, .. }) => Some(lit),
            other => {
                errors.spanned(other, format!("expected a literal: `{key} = {example}`"));
                None
            }
        },
        Meta::Path(_) => {
            errors.spanned(meta, format!("`{key}` needs a value: `{key} = {example}`"));
            None
        }
        Meta::List(_) => {
            errors.spanned(meta, format!("write `{key} = {example}`"));
            None
        }
    }
}

/// A duration given as a string literal, above zero.
fn positive_duration(meta: &Meta, errors: &mut Errors) -> Option<Duration> {
    let key = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
    let example = "\"2s\"";
    let lit = value(meta, example, errors)?;
    let Lit::Str(text) = lit else {
        let written = quote::ToTokens::to_token_stream(lit).to_string();
        errors.spanned(
            lit,
            format!(
                "write the duration as a string with its unit: `{key} = \"{}\"`",
                unit_hint(&written)
            ),
        );
        return None;
    };
    match duration::parse(&text.value()) {
        Ok(d) if d.is_zero() => {
            errors.spanned(text, format!("`{key}` must be above zero, e.g. `{key} = {example}`"));
            None
        }
        Ok(d) => Some(d),
        Err(why) => {
            errors.spanned(
                text,
                format!(
                    "invalid duration {:?}: {why}; write e.g. \"250ms\", \"2s\" or \"1m\"",
                    text.value()
                ),
            );
            None
        }
    }
}

/// `2` becomes `2s`, `2s` stays `2s`: what the user probably meant.
fn unit_hint(written: &str) -> String {
    if written.chars().all(|c| c.is_ascii_digit()) {
        format!("{written}s")
    } else {
        written.to_owned()
    }
}

/// The deadline: a positive duration of at most one minute.
fn timeout(meta: &Meta, errors: &mut Errors) -> Option<Duration> {
    let timeout = positive_duration(meta, errors)?;
    if timeout > MAX_TIMEOUT {
        let span = match meta {
            Meta::NameValue(nv) => nv.value.span(),
            _ => meta.span(),
        };
        errors.at(
            span,
            format!(
                "a timeout of {} is longer than one minute: probes give up long before (Kubernetes waits 1s by default). \
                 Use at most `timeout = \"60s\"`, and a longer `interval` with background mode for slow checks",
                humantime::format_duration(timeout)
            ),
        );
        return None;
    }
    Some(timeout)
}

/// A check name: 1 to 64 characters of `[A-Za-z0-9_.-]`.
fn name(meta: &Meta, errors: &mut Errors) -> Option<String> {
    let lit = value(meta, "\"primary_db\"", errors)?;
    let Lit::Str(text) = lit else {
        errors.spanned(lit, "write the name as a string: `name = \"primary_db\"`");
        return None;
    };
    let name = text.value();
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid {
        errors.spanned(
            text,
            format!(
                "invalid check name {name:?}: use 1 to 64 characters of A-Z, a-z, 0-9, `_`, `-` or `.` \
                 (names are JSON keys and metric labels)"
            ),
        );
        return None;
    }
    Some(name)
}

/// A threshold: an integer literal of at least 1.
fn threshold(meta: &Meta, errors: &mut Errors) -> Option<u32> {
    let key = meta.path().get_ident().map(ToString::to_string).unwrap_or_default();
    let lit = value(meta, "3", errors)?;
    let parsed = match lit {
        Lit::Int(int) => int.base10_parse::<u32>().ok(),
        _ => None,
    };
    match parsed {
        Some(0) => {
            errors.spanned(
                lit,
                format!("`{key}` must be at least 1 (1 flips the state on the first result)"),
            );
            None
        }
        Some(n) => Some(n),
        None => {
            let quoted = if matches!(lit, Lit::Str(_)) {
                ", without quotes"
            } else {
                ""
            };
            errors.spanned(
                lit,
                format!("expected a whole number of consecutive results{quoted}: `{key} = 3`"),
            );
            None
        }
    }
}
