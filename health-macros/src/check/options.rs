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

use health_rules::MAX_TIMEOUT;

/// An option of `#[health_check]`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Critical,
    Liveness,
    Readiness,
    Startup,
    Timeout,
    Name,
    Interval,
    FailureThreshold,
    SuccessThreshold,
    Blocking,
}

/// Every option, once: its key, how it is written, and how the help shows
/// it. Parsing, the list in errors and "did you mean" all read this table.
const OPTIONS: &[(Key, &str, &str)] = &[
    (Key::Critical, "critical", "`critical`"),
    (Key::Liveness, "liveness", "`liveness`"),
    (Key::Readiness, "readiness", "`readiness`"),
    (Key::Startup, "startup", "`startup`"),
    (Key::Timeout, "timeout", "`timeout = \"2s\"`"),
    (Key::Name, "name", "`name = \"..\"`"),
    (Key::Interval, "interval", "`interval = \"5s\"`"),
    (Key::FailureThreshold, "failure_threshold", "`failure_threshold = 3`"),
    (Key::SuccessThreshold, "success_threshold", "`success_threshold = 1`"),
    (Key::Blocking, "blocking", "`blocking`"),
];

/// The valid options, as errors list them.
fn options_help() -> String {
    let shown: Vec<&str> = OPTIONS.iter().map(|(_, _, shown)| *shown).collect();
    let (last, rest) = shown.split_last().expect("options");
    format!("expected {} or {last}", rest.join(", "))
}

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
        let mut seen: Vec<Key> = Vec::new();
        for meta in &metas {
            let Some(ident) = meta.path().get_ident() else {
                errors.spanned(meta.path(), format!("unknown option; {}", options_help()));
                continue;
            };
            let written = ident.to_string();
            let Some(&(key, _, _)) = OPTIONS.iter().find(|(_, name, _)| *name == written) else {
                let names: Vec<&str> = OPTIONS.iter().map(|(_, name, _)| *name).collect();
                let message = match closest(&written, &names) {
                    Some(close) => format!("unknown option `{written}`; did you mean `{close}`?"),
                    None => format!("unknown option `{written}`; {}", options_help()),
                };
                errors.spanned(ident, message);
                continue;
            };
            if seen.contains(&key) {
                errors.spanned(ident, format!("duplicate option `{written}`: give each option once"));
                continue;
            }
            seen.push(key);
            match key {
                Key::Critical => options.critical = flag(meta, errors).then(|| ident.span()),
                Key::Blocking => options.blocking = flag(meta, errors).then(|| ident.span()),
                Key::Liveness => options.add_probe(Probe::Liveness, flag(meta, errors)),
                Key::Readiness => options.add_probe(Probe::Readiness, flag(meta, errors)),
                Key::Startup => options.add_probe(Probe::Startup, flag(meta, errors)),
                Key::Timeout => options.timeout = timeout(meta, errors),
                Key::Interval => options.interval = positive_duration(meta, errors),
                Key::Name => options.name = name(meta, errors),
                Key::FailureThreshold => options.failure_threshold = threshold(meta, errors),
                Key::SuccessThreshold => options.success_threshold = threshold(meta, errors),
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

/// A check name given as `name = ".."`.
fn name(meta: &Meta, errors: &mut Errors) -> Option<String> {
    let lit = value(meta, "\"primary_db\"", errors)?;
    let Lit::Str(text) = lit else {
        errors.spanned(lit, "write the name as a string: `name = \"primary_db\"`");
        return None;
    };
    let name = text.value();
    if let Err(why) = check_name(&name) {
        errors.spanned(text, format!("invalid check name {name:?}: {why}"));
        return None;
    }
    Some(name)
}

/// Whether `name` can name a check (the rule `CheckSpec::validate` applies
/// at run time): `Err` says how to fix it.
pub fn check_name(name: &str) -> Result<(), String> {
    if health_rules::is_valid_name(name) {
        Ok(())
    } else {
        Err(format!("use {}", health_rules::NAME_RULE))
    }
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
